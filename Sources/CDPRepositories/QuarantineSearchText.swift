/// The text a free-text filter of the workbench searches in a quarantined record (its key, then the values of its
/// fields and failures), as every store hands it to ``QuarantineRepository/forEachQuarantineSearchText(rewritingJSON:_:)``.
public enum QuarantineSearchText {
    /// Appends the string values (not the keys) of flat JSON objects and arrays of them, each followed
    /// by a unit separator. Escapes stay as written.
    public static func appendJSONStringValues(_ json: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var index = 0
        var afterColon = false
        let count = json.count
        while index < count {
            let byte = json[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < count && json[end] != UInt8(ascii: "\"") {
                    end += json[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                if afterColon {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: json[(index + 1)..<min(end, count)]))
                    out.append(0x1F)
                }
                afterColon = false
                index = end + 1
                continue
            }
            if byte == UInt8(ascii: ":") {
                afterColon = true
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "{") {
                afterColon = false
            }
            index += 1
        }
    }
}
