import ArgumentParser
import FlowForgeClient
import Foundation

/// `flowforge pipeline …`: the v1 API from a shell, against `FLOWFORGE_URL` with `FLOWFORGE_API_KEY`.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Start, watch and manage pipelines on a FlowForge server (FLOWFORGE_URL, FLOWFORGE_API_KEY).",
        subcommands: [Start.self, Show.self, Logs.self, Cancel.self, Restart.self, List.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a pipeline of a repository, or of the working copy with --upload; prints its id, or with --follow its run, exiting with its result.")
        @OptionGroup var server: ServerOptions
        @Option(name: .customLong("repo-url"), help: "The repository to clone.") var repoURL: String?
        @Flag(help: "Upload the working copy in DIR (default: the current folder) instead of cloning: git's files, .gitignore honoured, uncommitted changes included.")
        var upload = false
        @Argument(help: "With --upload: the folder to upload.") var directory: String?
        @Option(help: "The branch to build (the server's default: main).") var branch: String?
        @Option(help: "A full 40-character commit SHA instead of the branch's head.") var commit: String?
        @Option(name: .customLong("command"), help: "A command to run instead of the repository's flowforge.yml (repeatable).")
        var commands: [String] = []
        @Option(name: .customLong("env"), help: "KEY=VALUE for the steps' environment (repeatable).") var environment: [String] = []
        @Flag(help: "Follow the run to its end: its steps and output as they come.") var follow = false

        func validate() throws {
            if upload {
                if repoURL != nil { throw ValidationError("give --repo-url or --upload, not both") }
                if commit != nil { throw ValidationError("--commit names a commit to clone; an upload runs the files as they are") }
            } else {
                if repoURL == nil { throw ValidationError("give --repo-url URL to clone a repository, or --upload [DIR] to upload a working copy") }
                if directory != nil { throw ValidationError("a folder is taken only with --upload") }
            }
        }

        func run() async throws {
            try await runningClient {
                let client = try server.client()
                let created = upload ? try await startUpload(client) : try await startClone(client)
                try await printOrFollow(created, follow: follow, client: client)
            }
        }

        func startClone(_ client: APIClient) async throws -> [String: Any] {
            var body: [String: Any] = ["repo_url": repoURL ?? ""]
            if let branch { body["branch"] = branch }
            if let commit { body["commit"] = commit }
            if !commands.isEmpty { body["commands"] = commands }
            if !environment.isEmpty { body["env"] = try keyValues(environment, option: "--env") }
            return try await client.call(.POST, "/api/v1/pipelines", json: body)
        }

        func startUpload(_ client: APIClient) async throws -> [String: Any] {
            let folder = URL(fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath).standardizedFileURL
            var fields: [(String, String)] = commands.map { ("commands", $0) }
            if let branch { fields.append(("branch", branch)) }
            if !environment.isEmpty {
                let data = try JSONSerialization.data(withJSONObject: try keyValues(environment, option: "--env"), options: [.sortedKeys])
                fields.append(("env", String(decoding: data, as: UTF8.self)))
            }
            let packed = try await WorkingCopyArchive.pack(folder)
            defer { try? FileManager.default.removeItem(at: packed.file) }
            let archive = Array(try Data(contentsOf: packed.file))
            Terminal.standardError("uploading \(folder.lastPathComponent): \(packed.entries) entries, \(packed.bytes) bytes, \(packed.selection)")
            let name = (folder.lastPathComponent.isEmpty || folder.lastPathComponent == "/" ? "source" : folder.lastPathComponent) + ".tar.gz"
            return try await client.upload("/api/v1/pipelines", fields: fields, fileName: name, file: archive)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a pipeline and its steps.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The pipeline's id.") var id: String
        @Flag(help: "Print the API's JSON instead of text.") var json = false

        func run() async throws {
            try await runningClient {
                let pipeline = try await server.client().call(.GET, "/api/v1/pipelines/\(id)")
                print(json ? try Terminal.json(pipeline) : PipelineSummary.block(pipeline))
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a pipeline's log; with --follow, its output as it is written until the pipeline ends (reconnecting where it broke off).")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The pipeline's id.") var id: String
        @Flag(help: "Follow the log until the pipeline ends, and exit with its result.") var follow = false

        func run() async throws {
            try await runningClient {
                let client = try server.client()
                if follow {
                    try await followToEnd(id, client: client)
                } else {
                    try await client.text("/api/v1/pipelines/\(id)/logs") { chunk in
                        FileHandle.standardOutput.write(Data(chunk.readableBytesView))
                    }
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pipeline that has not finished.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The pipeline's id.") var id: String

        func run() async throws {
            try await runningClient {
                let pipeline = try await server.client().call(.POST, "/api/v1/pipelines/\(id)/cancel")
                print("pipeline \(pipeline["id"] as? String ?? id): \(pipeline["status"] as? String ?? "canceled")")
            }
        }
    }

    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a finished pipeline's commit again as a new pipeline; prints the new id.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The pipeline's id.") var id: String
        @Flag(help: "Follow the new run to its end.") var follow = false

        func run() async throws {
            try await runningClient {
                let client = try server.client()
                let created = try await client.call(.POST, "/api/v1/pipelines/\(id)/restart")
                try await printOrFollow(created, follow: follow, client: client)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the account's pipelines, newest first.")
        @OptionGroup var server: ServerOptions
        @Option(help: "Only pipelines in this status (pending, running, success, failure, error, canceled, skipped).") var status: String?
        @Option(help: "How many (1 to 100).") var limit = 20

        func run() async throws {
            try await runningClient {
                var query = ["limit=\(limit)"]
                if let status { query.append("status=\(status.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? status)") }
                let page = try await server.client().call(.GET, "/api/v1/pipelines?" + query.joined(separator: "&"))
                for pipeline in page["pipelines"] as? [[String: Any]] ?? [] { print(PipelineSummary.row(pipeline)) }
            }
        }
    }
}

/// Where the server is and which key to use: options first, then `FLOWFORGE_URL` and `FLOWFORGE_API_KEY`.
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "The server (default: FLOWFORGE_URL, else http://127.0.0.1:8080).") var url: String?
    @Option(name: .customLong("api-key"), help: "An API key (default: FLOWFORGE_API_KEY).") var apiKey: String?

    func client() throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        guard let key = apiKey ?? environment["FLOWFORGE_API_KEY"], !key.isEmpty else {
            throw ValidationError("set FLOWFORGE_API_KEY (or pass --api-key) to an API key; create one with POST /api/user/api-keys")
        }
        let base = url ?? environment["FLOWFORGE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        guard let parsed = URL(string: base), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ValidationError("FLOWFORGE_URL must be an http(s) URL such as http://127.0.0.1:8080 (it is \"\(base)\")")
        }
        return APIClient(baseURL: base, apiKey: key)
    }
}

/// `KEY=VALUE` options as a dictionary; a missing `=` is an error naming the option.
func keyValues(_ pairs: [String], option: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("\(option) takes KEY=VALUE (got \"\(pair)\")")
        }
        result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return result
}

/// A pipeline just created (started or restarted): its id alone on standard output, for `ID=$(…)`; or,
/// with `follow`, its run to the end.
func printOrFollow(_ created: [String: Any], follow: Bool, client: APIClient) async throws {
    guard let id = created["id"] as? String else { throw APIClientError.unexpected("the server's answer has no pipeline id") }
    guard follow else {
        print(id)
        return
    }
    Terminal.standardError("pipeline \(id) queued")
    try await followToEnd(id, client: client)
}

/// Follows a pipeline's events and prints them; exits 0 when it succeeded, 1 otherwise.
func followToEnd(_ id: String, client: APIClient) async throws {
    var printer = EventPrinter(terminal: Terminal())
    let status = try await PipelineEventFollower(client: client).follow(id) { event in printer.print(event) }
    let pipeline = try? await client.call(.GET, "/api/v1/pipelines/\(id)")
    printer.finish(id: id, status: status, pipeline: pipeline)
    if status != "success" { throw ExitCode.failure }
}

/// A client command's failure is one line on standard error and exit status 1.
func runningClient(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        Terminal.standardError("flowforge: \(error.message)")
        throw ExitCode.failure
    } catch {
        Terminal.standardError("flowforge: \(error)")
        throw ExitCode.failure
    }
}
