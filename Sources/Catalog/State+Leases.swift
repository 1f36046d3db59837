import YonkeCore

/// Job leases (DESIGN.md: "a job never runs twice at once"), ingest bookmarks and the node
/// registry. A lease is live while `now < expiresAtEpochMillis`, `now` being the catalog clock.
extension Catalog.State {
    mutating func onAcquireLease(job: String, holder: String, durationMillis: Int64, index: UInt64, now: Int64) throws(Refusal) -> Catalog.Lease {
        let expiry = now + durationMillis
        if let current = leases[job], now < current.expiresAtEpochMillis {
            guard current.holder == holder else {
                throw .leaseHeld(by: current.holder, untilEpochMillis: current.expiresAtEpochMillis)
            }
            // A retried acquire by the holder is a renewal of the same tenure.
            var renewed = current
            renewed.expiresAtEpochMillis = max(current.expiresAtEpochMillis, expiry)
            leases[job] = renewed
            return renewed
        }
        let lease = Catalog.Lease(job: job, holder: holder, expiresAtEpochMillis: expiry, fencingToken: index)
        leases[job] = lease
        return lease
    }

    /// Only the holder renews, and only before expiry: after it, someone else may have run the
    /// job, so the old holder must acquire again (and get a new fencing token).
    mutating func onRenewLease(job: String, holder: String, durationMillis: Int64, now: Int64) throws(Refusal) -> Catalog.Lease {
        var lease = try heldLease(job: job, holder: holder, now: now)
        lease.expiresAtEpochMillis = max(lease.expiresAtEpochMillis, now + durationMillis)
        leases[job] = lease
        return lease
    }

    /// The holder may release even after expiry (tidying up); nobody else may.
    mutating func onReleaseLease(job: String, holder: String, now: Int64) throws(Refusal) {
        guard let current = leases[job] else { throw .leaseNotHeld(job: job) }
        guard current.holder == holder else {
            if now < current.expiresAtEpochMillis {
                throw .leaseHeld(by: current.holder, untilEpochMillis: current.expiresAtEpochMillis)
            }
            throw .leaseNotHeld(job: job)
        }
        leases[job] = nil
    }

    mutating func onSetBookmark(job: String, bookmark: String, holder: String?, now: Int64) throws(Refusal) -> String? {
        if let holder { _ = try heldLease(job: job, holder: holder, now: now) }
        let previous = bookmarks[job]
        bookmarks[job] = bookmark
        return previous
    }

    private func heldLease(job: String, holder: String, now: Int64) throws(Refusal) -> Catalog.Lease {
        guard let current = leases[job] else { throw .leaseNotHeld(job: job) }
        let live = now < current.expiresAtEpochMillis
        guard current.holder == holder else {
            if live { throw .leaseHeld(by: current.holder, untilEpochMillis: current.expiresAtEpochMillis) }
            throw .leaseNotHeld(job: job)
        }
        guard live else { throw .leaseExpired(job: job, atEpochMillis: current.expiresAtEpochMillis) }
        return current
    }

    /// Re-registering a name with its own key updates address and roles (a machine that moved);
    /// a different key needs `removeNode` first, so a stolen name cannot be re-keyed silently.
    mutating func onRegisterNode(name: String, publicKeyHex: String, address: String, roles: Catalog.Roles, now: Int64) throws(Refusal) -> Catalog.Effect {
        let key = publicKeyHex.lowercased()
        if let existing = nodeRecords[name], existing.publicKeyHex != key {
            throw .nodeKeyMismatch(name: name)
        }
        for other in nodeRecords.keys.sorted(by: LakePath.precedes) where other != name {
            if nodeRecords[other]?.publicKeyHex == key { throw .publicKeyInUse(by: other) }
        }
        let isNew = nodeRecords[name] == nil
        // A machine admitted again after `node remove` starts afresh.
        if machineStates[name] == .removed { machineStates[name] = nil }
        let record = Catalog.NodeRecord(
            name: name, publicKeyHex: key, address: address, roles: roles,
            admittedAtEpochMillis: nodeRecords[name]?.admittedAtEpochMillis ?? now)
        nodeRecords[name] = record
        return .nodeRegistered(record, isNew: isNew)
    }

    /// Same rules as `onRegisterNode`, except that an empty key on either side is "not yet
    /// pinned": a topology machine registered at bootstrap gets its key on first contact, and an
    /// admission without a key (a topology re-seed) never clears one.
    mutating func onAdmitMachine(_ admission: Catalog.MachineAdmission, now: Int64) throws(Refusal) -> Catalog.Effect {
        let name = admission.name
        let key = admission.publicKeyHex.lowercased()
        let existing = nodeRecords[name]
        if let existing, existing.isKeyPinned, !key.isEmpty, existing.publicKeyHex != key {
            throw .nodeKeyMismatch(name: name)
        }
        if !key.isEmpty {
            for other in nodeRecords.keys.sorted(by: LakePath.precedes) where other != name {
                if nodeRecords[other]?.publicKeyHex == key { throw .publicKeyInUse(by: other) }
            }
        }
        let record = Catalog.NodeRecord(
            name: name, publicKeyHex: key.isEmpty ? (existing?.publicKeyHex ?? "") : key,
            address: admission.address, roles: admission.roles,
            admittedAtEpochMillis: existing?.admittedAtEpochMillis ?? now, rack: admission.rack, disks: admission.disks)
        nodeRecords[name] = record
        // A machine admitted again after `node remove` starts afresh.
        if machineStates[name] == .removed { machineStates[name] = nil }
        return .nodeRegistered(record, isNew: existing == nil)
    }

    mutating func onSeedMachines(_ admissions: [Catalog.MachineAdmission], now: Int64) throws(Refusal) -> Int {
        guard nodeRecords.isEmpty else { throw .registryAlreadySeeded }
        // Checked on a copy first, so one bad admission leaves the registry empty.
        var trial = self
        for admission in admissions { _ = try trial.onAdmitMachine(admission, now: now) }
        nodeRecords = trial.nodeRecords
        return admissions.count
    }

    mutating func onRemoveNode(_ name: String) throws(Refusal) -> Catalog.NodeRecord {
        guard let record = nodeRecords.removeValue(forKey: name) else { throw .unknownNode(name) }
        return record
    }

    mutating func onSetMachineState(_ name: String, _ state: Catalog.MachineState) -> Catalog.Effect {
        let previous = machineStates[name] ?? .active
        machineStates[name] = state == .active ? nil : state
        if state == .removed { nodeRecords[name] = nil }
        return .machineStateChanged(name: name, previous: previous, current: state)
    }
}
