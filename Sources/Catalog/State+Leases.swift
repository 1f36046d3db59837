import YonkeCore

/// Job leases (DESIGN.md: "a job never runs twice at once") and ingest bookmarks.
/// A lease is live while `now < expiresAtEpochMillis`, `now` being the catalog clock.
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
}
