import FlowForgeCore
import Foundation

/// The plan `flowforge run` runs: the working copy's file compiled as the server would for the trigger,
/// with the same standard variables, cut down to `--step` and what it depends on.
enum LocalRunPlan {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Used for steps without `image:` under Docker (the server's `DEFAULT_DOCKER_IMAGE`).
    static var defaultImage: String { ProcessInfo.processInfo.environment["DEFAULT_DOCKER_IMAGE"] ?? "alpine:latest" }

    static func load(
        workspace: URL, event: String, branch: String?, only: [String], environment: [String: String]
    ) async throws -> (pipelineID: String, plan: Plan) {
        var found: (name: String, text: String)?
        for name in ["flowforge.yml", ".flowforge.yml"] {
            let path = workspace.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            found = (name, try await ConfigFile.read(path))
            break
        }
        guard let found else {
            throw Problem(description: "no flowforge.yml in \(workspace.path); write one (see docs/flowforge-yml.md) or pass the directory that has it")
        }
        let config = try PipelineConfigParser.parse(found.text, fileName: found.name)
        let git = GitWorkingCopy(directory: workspace)
        let branch = branch ?? git.branch ?? "main"
        let outcome = try PlanCompiler.compile(config, context: TriggerContext(event: event, branch: branch), defaultImage: defaultImage)
        guard case .run(var plan) = outcome else {
            if case .skipped(let reason) = outcome { throw Problem(description: "nothing to run: \(reason); pass --event or --branch") }
            throw Problem(description: "nothing to run")
        }
        if !only.isEmpty { plan = try selecting(only, from: plan) }
        let pipelineID = "local-" + UUID().uuidString.lowercased()
        let facts = PipelineFacts(
            pipelineID: pipelineID, commit: git.head ?? "", branch: branch, event: event, repository: workspace.lastPathComponent)
        return (pipelineID, plan.withEnvironment(requested: environment, standard: facts.environment))
    }

    /// The named steps and everything they depend on, in plan order. A matrix step may be named without
    /// its combination (`test` selects every `test (…)`).
    static func selecting(_ names: [String], from plan: Plan) throws -> Plan {
        let upstream = plan.upstream
        var keep = Set<String>()
        for name in names {
            let matching = plan.steps.filter { $0.name == name || $0.name.hasPrefix(name + " (") }
            guard !matching.isEmpty else {
                var message = "--step \(name): the pipeline has no step of that name; its steps are: \(plan.steps.map(\.name).joined(separator: ", "))"
                if let guess = Spelling.closest(to: name, among: plan.steps.map(\.name)) { message += " (did you mean `\(guess)`?)" }
                throw Problem(description: message)
            }
            for step in matching {
                keep.insert(step.name)
                keep.formUnion(upstream[step.name] ?? [])
            }
        }
        var selected = plan
        selected.steps = plan.steps.filter { keep.contains($0.name) }
        return selected
    }
}
