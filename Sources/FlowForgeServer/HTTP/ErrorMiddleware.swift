import Foundation
import Hummingbird
import Logging

/// Turns every error into the JSON error shape, so no handler, decoder or framework error reaches a client
/// as HTML, a stack trace or SQL. Unknown errors are logged with the request id and answered as 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.map(error).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return try APIError(.internalServerError, code: "internal_error", message: "something went wrong on our side; try again, and report it if it persists")
                .response(from: request, context: context)
        }
    }

    static func map(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            return APIError(.notFound, code: "not_found", message: "no such route; see the API documentation for the available paths")
        case .contentTooLarge:
            // The rest of the body is not read: end the connection after this answer.
            return APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than this server accepts (MAX_FILE_SIZE)", headers: [.connection: "close"])
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, code: "method_not_allowed", message: "this path does not accept that method")
        case .badRequest:
            return APIError(.badRequest, code: "bad_request", message: error.body ?? "the request is malformed")
        default:
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        }
    }
}
