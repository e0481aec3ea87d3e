import FlowForgeStore
import Foundation

/// The `data:` of each event of a pipeline's stream, as JSON with the API's snake_case keys and dates.
enum PipelineEventPayloads {
    struct Pipeline: Encodable {
        let id: String
        let status: String
        let error: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            try container.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case id, status, error }
    }

    /// `{name, status, started_at, completed_at, exit_code}`, every key present (null when unknown).
    struct Step: Encodable {
        let name: String
        let status: String
        let startedAt: Date?
        let completedAt: Date?
        let exitCode: Int?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(startedAt, forKey: .startedAt)
            try container.encode(completedAt, forKey: .completedAt)
            try container.encode(exitCode, forKey: .exitCode)
        }

        enum CodingKeys: String, CodingKey { case name, status, startedAt, completedAt, exitCode }
    }

    struct End: Encodable {
        let status: String
    }

    static func json(_ value: some Encodable) -> String {
        // These payloads are plain strings, numbers and dates: encoding them cannot fail.
        let data = (try? JSONEncoder.api.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A step as it was when it started: what a reader sees first of every step that ran, however late it
    /// connects, so that every stream tells a step's story the same way.
    static func opened(_ step: StepRecord) -> String {
        json(Step(name: step.name, status: StepStatus.running.rawValue, startedAt: step.startedAt.map(Clock.date(millis:)),
                  completedAt: nil, exitCode: nil))
    }

    static func closed(_ step: StepRecord) -> String {
        json(Step(name: step.name, status: step.status.rawValue, startedAt: step.startedAt.map(Clock.date(millis:)),
                  completedAt: step.finishedAt.map(Clock.date(millis:)), exitCode: step.exitCode))
    }

    static func log(step: String, line: [UInt8]) -> String {
        "{\"line\":" + JSONText.quoted(line) + ",\"step\":" + JSONText.quoted(step) + "}"
    }
}
