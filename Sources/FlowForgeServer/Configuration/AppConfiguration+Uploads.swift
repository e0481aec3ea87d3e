extension AppConfiguration {
    /// Pipelines from uploaded sources: which archive types are accepted and what one may unpack to.
    mutating func readUploadSettings(_ env: EnvironmentReader) throws {
        let types = (env.string("ALLOWED_FILE_TYPES") ?? ".zip,.tar,.tar.gz,.tgz,.dockerfile")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        let known = UploadSettings.archiveTypes
        if let unknown = types.first(where: { !known.contains($0) }) {
            throw ConfigurationError(
                variable: "ALLOWED_FILE_TYPES",
                message: "lists \"\(unknown)\", which FlowForge cannot unpack; list some of \(known.joined(separator: ", ")) separated by commas")
        }
        uploads = UploadSettings(
            allowedTypes: types,
            maxUnpackedBytes: try env.byteSize("FLOWFORGE_UPLOAD_MAX_UNPACKED_BYTES", default: 512 << 20, range: 1 << 20...(1 << 40)))
    }
}

/// `ALLOWED_FILE_TYPES` and `FLOWFORGE_UPLOAD_MAX_UNPACKED_BYTES`.
public struct UploadSettings: Sendable {
    /// The archive types FlowForge can unpack, as file name endings, and `.dockerfile`: a Dockerfile alone,
    /// the custom environment of the upload's `commands`.
    static let archiveTypes = [".zip", ".tar", ".tar.gz", ".tgz", ".dockerfile"]
    /// Endings of the file names accepted as a pipeline's `source` (lower case, with the dot).
    public var allowedTypes: [String]
    /// What one archive may unpack to, counted as written (zip bombs).
    public var maxUnpackedBytes: Int64

    public static let `default` = UploadSettings(allowedTypes: archiveTypes, maxUnpackedBytes: 512 << 20)

    /// The accepted ending `fileName` has (the longest, so `x.tar.gz` is `.tar.gz`), or nil.
    func type(of fileName: String) -> String? {
        allowedTypes.sorted { $0.count > $1.count }.first { fileName.lowercased().hasSuffix($0) }
    }
}
