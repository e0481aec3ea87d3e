import Foundation

extension AppConfiguration {
    /// `DO_SPACES_KEY`, `DO_SPACES_SECRET`, `DO_SPACES_BUCKET`, `DO_SPACES_REGION` and `DO_SPACES_ENDPOINT`:
    /// all four of the first set put artifacts and caches in that bucket; none keeps them in the data
    /// directory. Some but not all is a mistake that would silently keep files on one machine: refused.
    mutating func readArtifactSettings(_ env: EnvironmentReader) throws {
        let names = ["DO_SPACES_KEY", "DO_SPACES_SECRET", "DO_SPACES_BUCKET", "DO_SPACES_REGION"]
        let values = names.map { env.string($0) }
        let set = values.compactMap { $0 }
        if set.isEmpty {
            if env.string("DO_SPACES_ENDPOINT") != nil {
                throw ConfigurationError(variable: "DO_SPACES_ENDPOINT", message: "is set, but \(names.joined(separator: ", ")) are not; set them all to store artifacts in a bucket, or none")
            }
            objectStore = nil
            return
        }
        if let missing = zip(names, values).first(where: { $0.1 == nil })?.0 {
            throw ConfigurationError(variable: missing, message: "is not set, but other DO_SPACES_ variables are; set all of \(names.joined(separator: ", ")) to store artifacts in a bucket, or none of them")
        }
        let region = values[3]!
        let endpoint = try env.url("DO_SPACES_ENDPOINT", default: "https://\(region).digitaloceanspaces.com")
        objectStore = ObjectStoreSettings(accessKey: values[0]!, secretKey: values[1]!, bucket: values[2]!, region: region, endpoint: endpoint)
    }
}

/// An S3-compatible bucket for artifacts and caches.
public struct ObjectStoreSettings: Sendable, Equatable {
    public var accessKey: String
    public var secretKey: String
    public var bucket: String
    public var region: String
    /// `scheme://host[:port]`, without a trailing slash.
    public var endpoint: String

    public init(accessKey: String, secretKey: String, bucket: String, region: String, endpoint: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
    }

    /// The `Host` header the endpoint's requests carry (and sign): its host, and its port when one is written.
    var hostHeader: String {
        guard let url = URL(string: endpoint), let host = url.host else { return endpoint }
        return url.port.map { "\(host):\($0)" } ?? host
    }
}
