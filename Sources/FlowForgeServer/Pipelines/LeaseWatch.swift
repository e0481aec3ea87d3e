import Synchronization

/// Whether this worker still holds the job it runs, as far as it knows: set once a renewal or a fenced
/// write finds the claim gone. Writes that the database cannot fence (log files) check it first, so a
/// worker that lost its job stops writing the moment it learns so.
final class LeaseWatch: Sendable {
    private let lost = Atomic<Bool>(false)
    private let ended = Atomic<Bool>(false)

    var isLost: Bool { lost.load(ordering: .acquiring) }

    func markLost() { lost.store(true, ordering: .releasing) }

    /// The run's end is recorded, which ends the job and its claim with it: the clean-up that follows
    /// holds nothing to renew, and a renewal that finds no claim is no loss.
    var isEnded: Bool { ended.load(ordering: .acquiring) }

    func markEnded() { ended.store(true, ordering: .releasing) }
}
