/// How a run ended. Messages are meant for the pipeline's page, so they name what happened in plain words.
public enum RunOutcome: Sendable, Equatable {
    /// Every step exited with code 0.
    case success
    /// A step exited non-zero, e.g. `step "build" exited with code 2`; steps after it ran only if they run on failure.
    case failure(step: String, message: String)
    /// A step ran past its own timeout or the pipeline's, e.g. `timed out after 5s`; it was killed.
    case timedOut(step: String, message: String)
    /// FlowForge could not run the plan, e.g. `image "x" could not be pulled: <why, in a fixed sentence>`.
    case error(String)
    /// The calling task was cancelled; running containers were killed.
    case canceled
}
