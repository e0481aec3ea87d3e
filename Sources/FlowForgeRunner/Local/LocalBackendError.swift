/// Why the local backend could not run a step at all (not the step's own failure).
enum LocalBackendError: Error, CustomStringConvertible {
    case spawn(reason: String)
    case workspace(path: String)

    var description: String {
        switch self {
        case .spawn(let reason):
            "the step's shell (/bin/sh) could not be started: \(reason); check that /bin/sh exists and the machine has free processes"
        case .workspace(let path):
            "the workspace \(path) is not a directory; the local backend runs steps inside it"
        }
    }
}
