import YonkeCore

/// The machine registry: which machines belong to the cluster, under which
/// pinned key, address, roles, rack and disks, and which are draining or removed.
extension Catalog.State {
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
        if let user = userHolding(key) { throw .publicKeyInUse(by: user) }
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
            if let user = userHolding(key) { throw .publicKeyInUse(by: user) }
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
