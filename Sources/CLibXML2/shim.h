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
