import FlowForgeStore

extension AppServices {
    /// Pipelines from uploaded archives: kept in the database, checked and unpacked below the data directory.
    var uploads: UploadedSources {
        UploadedSources(
            store: SQLPipelineSourceRepository(database: database), settings: configuration.uploads,
            scratch: configuration.dataDirectory.appendingPathComponent("uploads", isDirectory: true))
    }
}
