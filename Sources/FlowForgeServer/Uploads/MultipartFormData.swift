/// A `multipart/form-data` body (RFC 7578), read from bytes already collected under `MAX_FILE_SIZE`.
///
/// Contract: `parse` returns the parts in order, each with its `name`, `filename` when it has one, and its
/// bytes exactly as sent (the CRLF before the next boundary is not part of them); a body that does not
/// follow the format — no boundary, a part without `Content-Disposition: form-data; name=…`, no closing
/// boundary — throws `APIError` 400 saying what is missing.
struct MultipartFormData {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: ArraySlice<UInt8>
    }

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` header, or nil for another type.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        guard var position = find(delimiter, in: body, from: 0) else { throw malformed("the body has no part (no boundary line)") }
        var parts: [Part] = []
        while true {
            position += delimiter.count
            // `--` right after a boundary closes the body.
            if body[position...].starts(with: Array("--".utf8)) { return parts }
            guard body[position...].starts(with: crlf) else { throw malformed("a boundary line is not followed by a line break") }
            position += 2
            guard let headersEnd = find(crlf + crlf, in: body, from: position) else { throw malformed("a part's headers never end") }
            let headers = String(decoding: body[position..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = find(crlf + delimiter, in: body, from: contentStart) else {
                throw malformed("the body ends without its closing boundary (--\(boundary)--)")
            }
            parts.append(try part(headers: headers, data: body[contentStart..<next]))
            position = next + 2
        }
    }

    static let crlf: [UInt8] = [13, 10]

    static func part(headers: String, data: ArraySlice<UInt8>) throws -> Part {
        var name: String?, filename: String?, contentType: String?
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if field == "content-type" { contentType = value }
            guard field == "content-disposition" else { continue }
            let pieces = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.first?.lowercased() == "form-data" else { throw malformed("a part's Content-Disposition is not form-data") }
            for piece in pieces.dropFirst() {
                guard let equals = piece.firstIndex(of: "=") else { continue }
                var text = String(piece[piece.index(after: equals)...])
                if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
                switch piece[..<equals].lowercased() {
                case "name": name = text
                case "filename": filename = text
                default: break
                }
            }
        }
        guard let name else { throw malformed("a part has no Content-Disposition: form-data; name=…") }
        return Part(name: name, filename: filename, contentType: contentType, data: data)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func malformed(_ why: String) -> APIError {
        APIError(.badRequest, code: "malformed_multipart", message: "the multipart/form-data body is malformed: \(why)")
    }
}
