import Hummingbird

/// Applies `MAX_FILE_SIZE`: a declared Content-Length over it is refused before the body is read, and the
/// limit is recorded in the context so body collection stops there too (chunked uploads).
struct BodyLimitMiddleware: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            // `Connection: close`: the body is not read, so the connection ends after this answer rather
            // than reading (possibly gigabytes of) a refused body to reach the next request.
            throw APIError(
                .contentTooLarge, code: "payload_too_large",
                message: "the request body is \(length) bytes; this server accepts at most \(maxBytes) (MAX_FILE_SIZE)",
                headers: [.connection: "close"]
            )
        }
        var context = context
        context.maxUploadSize = maxBytes
        return try await next(request, context)
    }
}
