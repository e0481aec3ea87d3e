// Yams's own `Parser` exposes no event API, so this pass drives libyaml (Yams's `CYaml` module) directly.
// `CYaml` is not a declared product of Yams; it is visible because every Yams client builds it.
internal import CYaml

/// Rejects YAML alias abuse ("billion laughs") before Yams builds a tree from the text.
///
/// Why a separate pass: Yams composes an alias by sharing the anchored node, which is cheap, but it hashes
/// every mapping key to find duplicates, and hashing a key that is (or contains) an alias walks the whole
/// expansion; `? *lol9` would hash a billion nodes. So this pass reads libyaml's events once, in linear
/// time and memory, counting alias uses and the number of nodes the document has once every alias is
/// expanded, and stops at the first that exceeds `limits`.
enum AliasGuard {
    /// Throws when the text uses more than `limits.maxAliases` aliases or expands to more than
    /// `limits.maxNodes` nodes. Returns quietly on YAML syntax errors: Yams reports those, with its
    /// wording, when it parses the same text next.
    static func check(_ text: String, file: String, limits: ConfigLimits) throws(ConfigError) {
        var bytes = Array(text.utf8)
        let problem: ConfigError? = bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return ConfigError(file: file, line: nil, message: "could not start the YAML parser (out of memory)")
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var counter = ExpansionCounter(file: file, limits: limits)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if let problem = counter.consume(event) { return problem }
            }
            return nil
        }
        if let problem { throw problem }
    }
}

/// Running totals over the event stream. An anchored node's size is the number of nodes it stands for,
/// aliases inside it expanded; an alias adds the size of its anchor.
private struct ExpansionCounter {
    let file: String
    let limits: ConfigLimits
    var nodes = 0
    var aliases = 0
    var anchorSizes: [String: Int] = [:]
    /// Open collections: their anchor, and `nodes` just after the collection itself was counted.
    var open: [(anchor: String?, firstNode: Int)] = []

    init(file: String, limits: ConfigLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func consume(_ event: yaml_event_t) -> ConfigError? {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_SCALAR_EVENT:
            nodes += 1
            if let anchor = name(event.data.scalar.anchor) { anchorSizes[anchor] = 1 }
        case YAML_SEQUENCE_START_EVENT:
            nodes += 1
            open.append((name(event.data.sequence_start.anchor), nodes))
        case YAML_MAPPING_START_EVENT:
            nodes += 1
            open.append((name(event.data.mapping_start.anchor), nodes))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            if let closed = open.popLast(), let anchor = closed.anchor {
                anchorSizes[anchor] = nodes - closed.firstNode + 1
            }
        case YAML_ALIAS_EVENT:
            aliases += 1
            let alias = name(event.data.alias.anchor) ?? "?"
            if aliases > limits.maxAliases {
                return ConfigError(file: file, line: line, column: column, message: """
                    too many aliases: *\(alias) is alias number \(aliases), and at most \(limits.maxAliases) \
                    are allowed; repeat the values instead of aliasing them
                    """)
            }
            // An undefined alias adds nothing here; Yams rejects it right after.
            nodes += anchorSizes[alias] ?? 0
        default:
            break
        }
        if nodes > limits.maxNodes {
            return ConfigError(file: file, line: line, column: column, message: """
                the document is too large: once its aliases are expanded it has more than \(limits.maxNodes) \
                YAML nodes; nested anchors like these multiply (a "billion laughs" document), so flatten them
                """)
        }
        return nil
    }

    private func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
