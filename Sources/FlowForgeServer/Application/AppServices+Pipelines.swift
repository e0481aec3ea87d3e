import Foundation

extension AppServices {
    /// The v1 pipelines API, as the router mounts it and as the dashboard's pipeline pages call it.
    var pipelineController: PipelineController {
        PipelineController(
            pipelines: pipelines, logs: logs,
            urlPolicy: RepositoryURLPolicy(allowLocal: configuration.allowLocalRepositories), launcher: launcher,
            repositories: connectedRepositories, hosts: ForgeHosts(configuration: configuration),
            uploads: uploads,
            eventKeepAlive: .milliseconds(configuration.logSettings.eventKeepAliveMillis),
            artifacts: artifacts, artifactStore: artifactStore
        )
    }
}
