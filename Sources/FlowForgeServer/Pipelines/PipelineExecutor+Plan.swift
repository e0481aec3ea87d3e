import FlowForgeCore
import FlowForgeStore
import Foundation

extension PipelineExecutor {
    struct PlanProblem: Error {
        let text: String
    }

    /// The files a repository may configure its pipeline in, in order of preference.
    static let configFiles = ["flowforge.yml", ".flowforge.yml"]

    /// The plan to run: the request's `commands` as one step, or the repository's flowforge.yml at the
    /// checked-out commit compiled for this pipeline's event and branch. The request's `env` is laid over
    /// every step's environment.
    func planFor(_ pipeline: PipelineRecord, commit: String, workspace: URL) -> Swift.Result<PlanOutcome, PlanProblem> {
        var outcome: PlanOutcome
        if let commands = pipeline.commands {
            outcome = .run(PlanCompiler.commandsPlan(commands: commands, image: defaultImage, environment: [:]))
        } else {
            guard let file = Self.configFiles.first(where: { FileManager.default.fileExists(atPath: workspace.appendingPathComponent($0).path) }) else {
                return .failure(PlanProblem(text: "no flowforge.yml in the repository at commit \(commit): add one (see docs/flowforge-yml.md) or pass commands"))
            }
            let text: String
            do {
                text = try String(contentsOf: workspace.appendingPathComponent(file), encoding: .utf8)
            } catch {
                return .failure(PlanProblem(text: "\(file) could not be read as UTF-8 text"))
            }
            do {
                let config = try PipelineConfigParser.parse(text, fileName: file)
                outcome = try PlanCompiler.compile(config, context: TriggerContext(event: pipeline.event, branch: pipeline.branch), defaultImage: defaultImage)
            } catch {
                return .failure(PlanProblem(text: error.description))
            }
        }
        if case .run(var plan) = outcome, !pipeline.environment.isEmpty {
            for index in plan.steps.indices {
                plan.steps[index].environment.merge(pipeline.environment) { _, requested in requested }
            }
            outcome = .run(plan)
        }
        return .success(outcome)
    }
}
