// libxml2 parses and writes the S3 REST XML wire format.
// Debian builds libxml2 with ICU; its headers then clash with Foundation's
// bundled ICU ('UErrorCode' has different definitions). Nothing here needs
// libxml2's ICU encoding handlers, so hide them (see toolchain notes).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>

// libxml2 reports some errors (an input encoding that does not convert, for
// one) through its generic error function, which prints to standard error
// whatever XML_PARSE_NOERROR says. Swift cannot define a C variadic function,
// so the silent one is here. The handler is per thread: call before parsing.
static void odas_xml_discard(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

static inline void odas_xml_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, odas_xml_discard);
    xmlSetStructuredErrorFunc(NULL, NULL);
}
