import FlowForgeCore
import FlowForgeForges
import FlowForgeStore

/// The moments a pipeline reports to its forge.
enum StatusMilestone: Int64, Sendable, CustomStringConvertible {
    case queued = 0, started = 1, finished = 2

    /// Orders statuses of one commit and context: a later pipeline outranks an earlier one, and within a
    /// pipeline a later milestone outranks an earlier one, so `pending` can never overtake the final state.
    func sequence(createdAt: Int64) -> Int64 { createdAt * 4 + rawValue }

    var description: String {
        switch self {
        case .queued: "queued"
        case .started: "started"
        case .finished: "finished"
        }
    }
}

/// What a status says: its state and a one-line description.
struct StatusContent: Sendable, Equatable {
    var state: CommitStatusState
    var description: String

    /// The name of a pipeline whose flowforge.yml has no `name:` (or that was not read yet).
    static let pipelineName = PipelineConfig.defaultName

    /// `flowforge/<pipeline name>/<event kind>`: each kind of event has its own status, so a pull request
    /// pipeline (possibly skipped by `when`) never replaces the verdict of the push of the same commit. One
    /// status per pipeline, whatever its matrix: the combinations are steps of it, not pipelines.
    static func context(for pipeline: PipelineRecord) -> String {
        "flowforge/\(pipeline.name ?? pipelineName)/\(eventKind(pipeline.event))"
    }

    /// `push`, `pr` or `tag`; any other event keeps its own name.
    static func eventKind(_ event: String) -> String {
        switch event {
        case "pull_request": "pr"
        default: event
        }
    }
    /// GitHub's limit, the strictest of the three forges'.
    static let descriptionLimit = 140

    init(state: CommitStatusState, description: String) {
        self.state = state
        self.description = Self.fitted(description)
    }

    init(pipeline: PipelineRecord, milestone: StatusMilestone) {
        switch milestone {
        case .queued: self.init(state: .pending, description: "Queued")
        case .started: self.init(state: .running, description: "Running")
        case .finished: self.init(finished: pipeline.status, error: pipeline.error)
        }
    }

    init(finished status: PipelineStatus, error: String?) {
        let detail = error.map { ": \($0)" } ?? ""
        switch status {
        case .success: self.init(state: .success, description: "Passed")
        case .failure: self.init(state: .failure, description: "Failed" + detail)
        case .error: self.init(state: .error, description: "Could not run" + detail)
        case .canceled: self.init(state: .canceled, description: "Canceled")
        // `when` excluded this event: nothing ran, so nothing passed either. Never `success`: a skipped pull
        // request pipeline must not turn a failing commit green.
        case .skipped: self.init(state: .skipped, description: "Skipped: " + (error ?? "excluded by when"))
        case .pending: self.init(state: .pending, description: "Queued")
        case .running: self.init(state: .running, description: "Running")
        }
    }

    /// One line, at most `descriptionLimit` UTF-8 bytes, cut between characters with "…".
    static func fitted(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard line.utf8.count > descriptionLimit else { return line }
        var result = ""
        for character in line {
            guard result.utf8.count + character.utf8.count + 3 <= descriptionLimit else { break }
            result.append(character)
        }
        return result + "…"
    }
}
