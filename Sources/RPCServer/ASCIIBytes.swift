// Header names and the values gRPC reads are ASCII. Comparing their bytes is much cheaper than
// String's Unicode-aware equality and prefix tests, and this runs for every field of every call.

extension String {
    /// Runs `body` on the string's UTF-8 bytes, without a copy for native strings.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}

extension UnsafeBufferPointer<UInt8> {
    func starts(withASCII prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard self.count >= count else { return false }
        let expected = prefix.utf8Start
        for i in 0..<count where self[i] != expected[i] { return false }
        return true
    }

    func ends(withASCII suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard self.count >= count else { return false }
        return UnsafeBufferPointer(rebasing: self[(self.count - count)...]).starts(withASCII: suffix)
    }

    func equals(ASCII other: StaticString) -> Bool {
        count == other.utf8CodeUnitCount && starts(withASCII: other)
    }
}
