import FlowForgeCore
import Hummingbird

extension PipelineController {
    /// A `.dockerfile` upload is the environment its `commands` run in: the account's plan must include
    /// custom environments (402 with the plan to upgrade to), the commands must be there, and the file must
    /// be text. Checked before anything is stored, so a refused upload leaves nothing behind.
    func checkDockerfileUpload(_ bytes: [UInt8], commands: [String]?, userID: String) async throws {
        let plan = try await launcher.plan(of: userID)
        guard launcher.plans.grants(PlanCatalog.customEnvironments, to: plan) else {
            throw CustomEnvironmentRefusal(plan: plan, catalog: launcher.plans).apiError
        }
        guard let commands, !commands.isEmpty else {
            throw APIError.validation("commands", "is required with a .dockerfile source: the Dockerfile is the environment, the commands are what runs in it")
        }
        guard !bytes.isEmpty, String(validating: bytes, as: UTF8.self) != nil, !bytes.contains(0) else {
            throw APIError(.unprocessableContent, code: "invalid_dockerfile", message: "the .dockerfile source is empty or not UTF-8 text; upload the Dockerfile itself")
        }
    }
}
