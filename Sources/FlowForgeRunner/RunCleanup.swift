/// What a run left behind for its caller to remove (ended containers, the pod), once the caller has
/// recorded the outcome: users see a pipeline's result without waiting for the removals.
///
/// `perform` may be called more than once (the second call finds nothing) and never throws; a caller that
/// never calls it leaves the containers to the backend's reaper.
public struct RunCleanup: Sendable {
    private let body: @Sendable () async -> Void

    public init(_ body: @escaping @Sendable () async -> Void) { self.body = body }

    /// Nothing left to remove.
    public static let none = RunCleanup {}

    /// Removes what the run left. Runs in a task of its own, so that it completes even when the calling
    /// task is cancelled (a cancelled task's calls to the daemon fail at once).
    public func perform() async {
        let body = self.body
        await Task { await body() }.value
    }
}
