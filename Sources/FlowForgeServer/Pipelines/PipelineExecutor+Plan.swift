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
    /// every step's environment. The file is read by `ConfigFileReader`: never through a link, never huge.
    ///
    /// Every step and service also gets the standard environment (`standardEnvironment`), over its own; a
    /// service gets `FLOWFORGE_SERVICE_NAME` where a step gets `FLOWFORGE_STEP_NAME`.
    /// The name is the file's `name:` (nil for the `commands` form, and when the file could not be read).
    func planFor(_ pipeline: PipelineRecord, commit: String, workspace: URL) async -> Swift.Result<(outcome: PlanOutcome, name: String?), PlanProblem> {
        var outcome: PlanOutcome
        var name: String?
        if let commands = pipeline.commands {
            // A `.dockerfile` upload is the environment the commands run in.
            let dockerfile = UploadedSources.isDockerfile(pipeline) ? UploadedSources.dockerfileName : nil
            outcome = .run(PlanCompiler.commandsPlan(commands: commands, image: defaultImage, environment: [:], dockerfile: dockerfile))
        } else {
            var found: (file: String, text: String)?
            for file in Self.configFiles {
                switch await ConfigFileReader.read(file, in: workspace) {
                case .missing: continue
                case .refused(let reason): return .failure(PlanProblem(text: reason))
                case .text(let text): found = (file, text)
                }
                break
            }
            guard let (file, text) = found else {
                return .failure(PlanProblem(text: "no flowforge.yml in the repository at commit \(commit): add one (see docs/flowforge-yml.md) or pass commands"))
            }
            do {
                let config = try PipelineConfigParser.parse(text, fileName: file)
                name = config.name ?? PipelineConfig.defaultName
                let context = TriggerContext(event: pipeline.event, branch: pipeline.branch, targetBranch: pipeline.targetBranch,
                    changedFiles: pipeline.changedFiles)
                outcome = try PlanCompiler.compile(config, context: context, defaultImage: defaultImage)
            } catch {
                return .failure(PlanProblem(text: error.description))
            }
        }
        if case .run(let plan) = outcome {
            // The operator's default image is theirs to choose; what a repository names is checked.
            for step in plan.steps where step.image != defaultImage && step.dockerfile == nil {
                if let problem = CustomEnvironments.reservedImageProblem(step.image, step: step.name) { return .failure(PlanProblem(text: problem)) }
                if let problem = await registryPolicy.problem(with: step.image, step: step.name) {
                    return .failure(PlanProblem(text: problem))
                }
            }
            for service in plan.services {
                if let problem = await registryPolicy.problem(with: service.image, owner: service.logName) {
                    return .failure(PlanProblem(text: problem))
                }
            }
        }
        if case .run(let plan) = outcome {
            outcome = .run(plan.withEnvironment(requested: pipeline.environment, standard: Self.standardEnvironment(of: pipeline, commit: commit)))
        }
        return .success((outcome, name))
    }
}
