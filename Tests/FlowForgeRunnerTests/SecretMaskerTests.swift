import Testing
@testable import FlowForgeRunner

@Suite("secret masker")
struct SecretMaskerTests {
    /// Feeds `text` cut at `cuts` and returns everything released, `finish` included.
    func masked(_ text: String, secrets: [String], cuts: [Int] = []) -> String {
        var masker = SecretMasker(secrets: secrets)
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var start = 0
        for cut in cuts.sorted() + [bytes.count] where cut >= start {
            output += masker.feed(bytes[start..<cut])
            start = cut
        }
        output += masker.finish()
        return String(decoding: output, as: UTF8.self)
    }

    @Test func aValueIsMaskedWhereverTheStreamIsCut() {
        let text = "token=s3cr3t-value; again s3cr3t-value."
        let expected = "token=********; again ********."
        #expect(masked(text, secrets: ["s3cr3t-value"]) == expected)
        for first in 0...text.utf8.count {
            #expect(masked(text, secrets: ["s3cr3t-value"], cuts: [first]) == expected, "cut at \(first)")
            for second in first...text.utf8.count {
                #expect(masked(text, secrets: ["s3cr3t-value"], cuts: [first, second]) == expected, "cut at \(first), \(second)")
            }
        }
        // Byte by byte.
        #expect(masked(text, secrets: ["s3cr3t-value"], cuts: Array(0...text.utf8.count)) == expected)
    }

    @Test func onlyTheLongestPossibleBeginningIsHeldBack() {
        var masker = SecretMasker(secrets: ["abcdef"])
        #expect(masker.feed(Array("xyz abc".utf8)) == Array("xyz ".utf8), "`abc` may still become the secret")
        #expect(masker.feed(Array("d".utf8)) == [])
        #expect(masker.feed(Array("X".utf8)) == Array("abcdX".utf8), "not the secret after all: released as it was")
        #expect(masker.feed(Array("aaab".utf8)) == Array("aa".utf8), "only `ab` could begin it")
        #expect(masker.finish() == Array("ab".utf8), "the end of the step releases the rest")
    }

    @Test func withoutSecretsOutputPassesUntouched() {
        var masker = SecretMasker(secrets: ["", ""])
        #expect(masker.isEmpty)
        #expect(masker.feed(Array("anything".utf8)) == Array("anything".utf8))
        #expect(masker.finish() == [])
    }

    @Test func overlappingAndAdjacentSecretsLeaveNoPieceVisible() {
        let secrets = ["abcd", "cdef", "abcdefgh"]
        let cases = [
            ("abcdef", "********"),  // two overlapping: one mask, no `ef` left over
            ("abcdefgh!", "********!"),  // the longer wins over its own beginning
            ("abcdefg", "********g"),  // `g` is no secret: `abcdef` is covered by abcd + cdef
            ("xxcdefabcdyy", "xx********yy"),  // adjacent occurrences merge into one mask
            ("abc cde", "abc cde"),
        ]
        for (text, expected) in cases {
            for cut in 0...text.utf8.count {
                #expect(masked(text, secrets: secrets, cuts: [cut]) == expected, "\(text) cut at \(cut)")
            }
            #expect(masked(text, secrets: secrets, cuts: Array(0...text.utf8.count)) == expected, "\(text) byte by byte")
        }
    }

    @Test func eachLineOfAMultiLineValueIsMaskedAlone() {
        let key = "-----BEGIN KEY-----\r\n  line-one-AAAA\nline-two-BBBB\n}\n-----END KEY-----\n"
        let text = """
            whole: \(key)
            lines: line-two-BBBB and line-one-AAAA
            shell read: line-one-AAAA
            short lines stay: }
            """
        let output = masked(text, secrets: [key])
        #expect(output == """
            whole: ********
            lines: ******** and ********
            shell read: ********
            short lines stay: }
            """)
        for cut in 0...text.utf8.count {
            #expect(masked(text, secrets: [key], cuts: [cut]) == output, "cut at \(cut)")
        }
    }

    @Test func valuesSplitInsideAUTF8SequenceAreFound() {
        let secret = "pässwörd"
        let text = "say \(secret)!"
        for cut in 0...text.utf8.count {
            #expect(masked(text, secrets: [secret], cuts: [cut]) == "say ********!")
        }
    }

    @Test func reversedValuesAreNotSecrets() {
        #expect(masked("eulav-terces", secrets: ["secret-value"]) == "eulav-terces")
    }

    @Test func aValueWithSurroundingWhitespaceIsAlsoMaskedTrimmed() {
        // A value stored with its file's newline (or a stray blank) is printed trimmed by `$(cat …)` or `xargs`.
        for secret in ["  padded-secret-1\r\n", "padded-secret-1\n", "\tpadded-secret-1 "] {
            #expect(masked("got padded-secret-1.", secrets: [secret]) == "got ********.", "\(secret.debugDescription)")
        }
        // Trimmed, a value shorter than the minimum is not masked alone (it would show what it is).
        #expect(masked("say short1 ok", secrets: [" short1\n"]) == "say short1 ok")
    }

    @Test func theCredentialsOfARegistryAuthDocumentAreMaskedAlone() {
        let auth = #"{"username":"ci-user","password":"pw-Secret-77","auth":"Y2k6cHctU2VjcmV0LTc3","identitytoken":"id-token-99","serveraddress":"registry.example.com"}"#
        #expect(masked("login pw-Secret-77 Y2k6cHctU2VjcmV0LTc3 id-token-99 ci-user", secrets: [auth]) == "login ******** ******** ******** ci-user")
    }

    @Test func aHugeMultiLineValueHasOnlyItsFirstLinesAsPatterns() {
        let value = (0..<5000).map { "line-number-\($0)" }.joined(separator: "\n")
        let patterns = SecretMasker.patterns(for: value)
        #expect(patterns.count <= 2 * SecretMasker.maxLinesPerValue + 2, "\(patterns.count)")
        #expect(masked("x line-number-7 y", secrets: [value]) == "x ******** y")
    }

    /// A value that the stream almost spells forever: the old masker rescanned everything it held back on
    /// every byte (work ~ bytes × value length). Counted in automaton steps, not wall time.
    @Test func aPathologicalStreamFedByteByByteCostsLinearWork() {
        let secret = String(repeating: "a", count: 5000) + "b"
        var masker = SecretMasker(secrets: [secret, "aaaaaaaa", "aaaab-aaaab"])
        var released = 0
        let count = 200_000
        for _ in 0..<count { released += masker.feed(CollectionOfOne(UInt8(ascii: "a"))).count }
        released += masker.finish().count
        #expect(masker.steps <= 3 * count, "\(masker.steps) steps for \(count) bytes")
        #expect(released == SecretMasker.mask.count, "all of it is covered by `aaaaaaaa`: one mask")
    }
}
