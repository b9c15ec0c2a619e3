import CLibXML2

/// A small XML element tree: what S3's REST bodies need (elements, text, one
/// default namespace). Parsed and written by libxml2.
public struct XMLElement: Equatable, Sendable {
    public var name: String
    public var text: String
    public var children: [XMLElement]

    public init(_ name: String, text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// A leaf element with text.
    public static func leaf(_ name: String, _ text: String) -> XMLElement { XMLElement(name, text: text) }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// All children named `name`.
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
}

public enum XMLCodec {
    /// The S3 namespace success bodies carry on their root element.
    public static let s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public enum ParseError: Error, Equatable, Sendable {
        /// Not well-formed, or not a single root element.
        case malformed
        /// A DOCTYPE (entity declarations: the way XML bombs and external entities arrive) is refused.
        case documentTypeNotAllowed
    }

    /// Parses `bytes` with libxml2: no network access, no entity substitution,
    /// and any DOCTYPE refused — entity-expansion bombs and external entities
    /// never reach the expander.
    public static func parse(_ bytes: [UInt8]) -> Result<XMLElement, ParseError> {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return .failure(.malformed) }
        // Refuse DTDs before parsing anything: libxml2 would otherwise read internal subsets.
        if containsDoctype(bytes) { return .failure(.documentTypeNotAllowed) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        // A client's bad bytes are its error answer's business, not the server's standard error.
        odas_xml_silence_errors()
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReadMemory($0, Int32(buffer.count), "request.xml", nil, options)
                }
            } ?? nil
        }
        guard let document else { return .failure(.malformed) }
        defer { xmlFreeDoc(document) }
        if document.pointee.intSubset != nil { return .failure(.documentTypeNotAllowed) }
        guard let root = xmlDocGetRootElement(document) else { return .failure(.malformed) }
        return .success(convert(root, depth: 0))
    }

    /// True if `<!DOCTYPE` (any case) occurs anywhere in the bytes.
    static func containsDoctype(_ bytes: [UInt8]) -> Bool {
        let marker = Array("<!doctype".utf8)
        guard bytes.count >= marker.count else { return false }
        outer: for start in 0...(bytes.count - marker.count) where bytes[start] == 60 {
            for offset in 1..<marker.count {
                let byte = bytes[start + offset]
                let lowered = byte >= 65 && byte <= 90 ? byte + 32 : byte
                if lowered != marker[offset] { continue outer }
            }
            return true
        }
        return false
    }

    static func convert(_ node: UnsafeMutablePointer<xmlNode>, depth: Int) -> XMLElement {
        let name = node.pointee.name.map { String(cString: $0) } ?? ""
        var element = XMLElement(name)
        guard depth < 64 else { return element }
        var child = node.pointee.children
        var text = ""
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                element.children.append(convert(current, depth: depth + 1))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            default:
                break
            }
            child = current.pointee.next
        }
        element.text = text
        return element
    }

    /// Serializes `root` with libxml2's writer: an XML declaration, the root in
    /// `namespace` (if any), text escaped by libxml2.
    public static func write(_ root: XMLElement, namespace: String? = s3Namespace) -> [UInt8] {
        guard let buffer = xmlBufferCreate() else { return [] }
        defer { xmlBufferFree(buffer) }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else { return [] }
        xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil)
        writeElement(root, writer: writer, namespace: namespace)
        xmlTextWriterEndDocument(writer)
        xmlFreeTextWriter(writer)
        guard let content = xmlBufferContent(buffer) else { return [] }
        let length = Int(xmlBufferLength(buffer))
        return Array(UnsafeBufferPointer(start: content, count: length))
    }

    static func writeElement(_ element: XMLElement, writer: xmlTextWriterPtr, namespace: String?) {
        xmlTextWriterStartElement(writer, element.name)
        if let namespace { xmlTextWriterWriteAttribute(writer, "xmlns", namespace) }
        if !element.text.isEmpty { xmlTextWriterWriteString(writer, sanitized(element.text)) }
        for child in element.children { writeElement(child, writer: writer, namespace: nil) }
        xmlTextWriterEndElement(writer)
    }

    /// XML 1.0 cannot carry most control characters even escaped; S3 replaces
    /// them in listings unless `encoding-type=url` is used, so do the same.
    static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) else {
            return text
        }
        return String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" ? "\u{FFFD}" : $0
        }))
    }
}
