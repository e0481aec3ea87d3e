/// The grammar of secret names, shared by the secrets API and `from_secret` / `image_pull_secret` in
/// flowforge.yml: 1 to 100 characters of ASCII letters, digits, `_`, `-` and `.`, starting with a letter or
/// `_`. Safe in a URL path and in YAML without quoting.
public enum SecretName {
    public static let maxLength = 100

    public static func isValid(_ name: String) -> Bool {
        guard name.count <= maxLength, let first = name.unicodeScalars.first, first.isASCII,
              first == "_" || first.properties.isAlphabetic
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
        }
    }
}
