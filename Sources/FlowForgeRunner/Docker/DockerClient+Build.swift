import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// `POST /build`: an image from a tar of the build context, sent as the body as it is read from disk.
/// See https://docs.docker.com/engine/api/v1.41/#tag/Image/operation/ImageBuild
extension DockerClient {
    func build(_ build: ImageBuild, network: String, output: @escaping @Sendable ([UInt8]) async -> Void) async throws -> String {
        let labels = String(decoding: try JSONEncoder().encode(build.labels), as: UTF8.self)
        var query = [
            ("dockerfile", build.dockerfile), ("t", build.tag), ("pull", "0"), ("rm", "1"), ("forcerm", "1"),
            ("networkmode", network), ("labels", labels),
            ("memory", String(build.limits.memoryBytes)), ("memswap", String(build.limits.memoryBytes)),
            // CPU: a quota of the default 100 ms period, as many CPUs as a step gets.
            ("cpuperiod", "100000"), ("cpuquota", String(max(1000, build.limits.nanoCPUs / 10_000))),
        ]
        if build.cacheFrom.isEmpty {
            query.append(("nocache", "1"))
        } else {
            query.append(("cachefrom", String(decoding: try JSONEncoder().encode(build.cacheFrom), as: UTF8.self)))
        }
        var request = try request(.POST, "/build", query: query)
        request.headers.add(name: "Content-Type", value: "application/x-tar")
        let size = try FileManager.default.attributesOfItem(atPath: build.contextFile)[.size] as? Int64 ?? 0
        request.body = .stream(FileChunks(path: build.contextFile), length: .known(size))
        let response = try await http.execute(request, timeout: .seconds(build.timeout.components.seconds), logger: logger)
        if response.status.code >= 400 {
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            throw ImageBuildError.failed("the Docker daemon refused the build (HTTP \(response.status.code)): \(Self.message(in: body))")
        }
        struct Progress: Decodable {
            struct Aux: Decodable { var ID: String? }
            var stream: String?
            var error: String?
            var aux: Aux?
        }
        var lines = DockerJSONLines()
        var imageID: String?
        func handle(_ line: [UInt8]) async throws {
            guard let progress = try? JSONDecoder().decode(Progress.self, from: Data(line)) else { return }
            if let text = progress.stream { await output(Array(text.utf8)) }
            if let id = progress.aux?.ID { imageID = id }
            if let error = progress.error {
                await output(Array((error + "\n").utf8))
                throw ImageBuildError.failed(error)
            }
        }
        for try await chunk in response.body {
            for line in lines.feed(chunk.readableBytesView) { try await handle(line) }
        }
        if let rest = lines.rest() { try await handle(rest) }
        guard let imageID else { throw ImageBuildError.failed("the Docker daemon ended the build without naming the image it built") }
        return imageID
    }

    /// The id of the local image `tag`, or nil.
    func imageID(of tag: String) async throws -> String? {
        struct Inspect: Decodable { var Id: String }
        let reference = try Self.validReference(tag)
        let response = try await send(.GET, "/images/\(Self.pathSegment(reference.pullReference))/json", accepting: [404])
        return response.status.code == 404 ? nil : try decode(Inspect.self, from: response).Id
    }

    /// The tags of local images of `repository`.
    func tags(inRepository repository: String) async throws -> [String] {
        struct Summary: Decodable { var RepoTags: [String]? }
        let filters = String(decoding: try JSONEncoder().encode(["reference": [repository]]), as: UTF8.self)
        let images = try decode([Summary].self, from: try await send(.GET, "/images/json", query: [("filters", filters)]))
        return images.flatMap { $0.RepoTags ?? [] }.filter { $0.hasPrefix(repository + ":") }.sorted()
    }
}

/// A file's bytes as an async sequence of buffers, each read on the blocking thread pool.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let failure: (any Error)?

        mutating func next() async throws -> ByteBuffer? {
            if let failure { throw failure }
            guard let handle else { return nil }
            let data = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: 256 * 1024) }
            guard let data, !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(handle: try FileHandle(forReadingFrom: URL(fileURLWithPath: path)), failure: nil)
        } catch {
            return AsyncIterator(handle: nil, failure: error)
        }
    }
}
