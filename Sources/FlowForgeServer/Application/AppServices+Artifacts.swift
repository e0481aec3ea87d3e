import AsyncHTTPClient
import FlowForgeStore
import Foundation

extension AppServices {
    /// The configured bucket, or the data directory's `artifacts` folder.
    var artifactStore: any ArtifactStore {
        if let bucket = configuration.objectStore {
            return S3ArtifactStore(settings: bucket, httpClient: .shared)
        }
        return FileArtifactStore(root: configuration.dataDirectory.appendingPathComponent("artifacts", isDirectory: true))
    }

    var artifacts: any ArtifactRepository { SQLArtifactRepository(database: database) }

    var artifactCollector: ArtifactCollector {
        ArtifactCollector(
            store: artifactStore, artifacts: artifacts,
            staging: configuration.dataDirectory.appendingPathComponent("artifact-staging", isDirectory: true), logger: logger)
    }

    var pipelineCache: PipelineCache {
        PipelineCache(
            store: artifactStore, caches: SQLCacheRepository(database: database),
            staging: configuration.dataDirectory.appendingPathComponent("artifact-staging", isDirectory: true), logger: logger)
    }
}
