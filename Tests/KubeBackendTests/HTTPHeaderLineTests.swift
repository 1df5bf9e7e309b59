import Testing
@testable import KubeBackend

@Suite struct HTTPHeaderLineTests {
    func parse(_ text: String) -> HTTPHeaderLine {
        Array(text.utf8).withUnsafeBytes { HTTPHeaderLine($0) }
    }

    @Test func fieldsLoseTheirLineEndingAndTheSpaceAroundNameAndValue() {
        #expect(parse("Content-Type: application/json\r\n") == .field(HTTPHeader("Content-Type", "application/json")))
        #expect(parse("Retry-After:\t7 \r\n") == .field(HTTPHeader("Retry-After", "7")))
        #expect(parse("audit-id : abc:def\r\n") == .field(HTTPHeader("audit-id", "abc:def")))
        #expect(parse("x-empty:\r\n") == .field(HTTPHeader("x-empty", "")))
    }

    @Test func statusLinesStartAHeadAndABlankLineEndsIt() {
        #expect(parse("HTTP/1.1 200 OK\r\n") == .statusLine)
        #expect(parse("HTTP/2 429 \r\n") == .statusLine)
        #expect(parse("\r\n") == .end)
        #expect(parse("") == .end)
    }

    @Test func aLineWithoutAColonIsIgnored() {
        #expect(parse("garbage\r\n") == .other)
    }

    @Test func nonASCIIValuesSurviveAsUTF8() {
        #expect(parse("x-note: größe\r\n") == .field(HTTPHeader("x-note", "größe")))
    }
}
