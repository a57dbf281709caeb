"""Documents for the cleaning stories: a PDF that says who wrote it, where its picture was taken
and what else was attached, in every place a PDF can say so."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests.tips.helpers import photo_with_gps

AUTHOR = "Canary Author Hamdi"
XMP_CANARY = "canary-xmp-creator-tool"
NOTE_AUTHOR = "Canary Note Writer"
ATTACHED = b"CANARY attached file with the reporter's address"
XMP = f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmp:CreatorTool="{XMP_CANARY}"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def _xmp(writer: PdfWriter) -> object:
    stream = DecodedStreamObject()
    stream.set_data(XMP.encode())
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    return writer._add_object(stream)


def _picture(writer: PdfWriter) -> object:
    """The photo with GPS, as a PDF image whose bytes are the JPEG file (as scanner apps do)."""
    jpeg = photo_with_gps()
    image = DecodedStreamObject()
    image.set_data(jpeg)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(64),
            NameObject("/Height"): NumberObject(48),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    return writer._add_object(image)


def _annotation(subtype: str, **entries: object) -> DictionaryObject:
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 40, 40)]),
        }
    )
    annotation.update({NameObject(k): v for k, v in entries.items()})
    return annotation


def pdf_with_metadata() -> bytes:
    """One page showing a photo with GPS; the author in the information dictionary, XMP on the
    document, the page and the picture, a note signed by its writer and an attached file."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    picture = _picture(writer)
    picture.get_object()[NameObject("/Metadata")] = _xmp(writer)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): picture})}
    )
    content = DecodedStreamObject()
    content.set_data(b"q 64 0 0 48 10 10 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Metadata")] = _xmp(writer)
    attached = DecodedStreamObject()
    attached.set_data(ATTACHED)
    attached[NameObject("/Type")] = NameObject("/EmbeddedFile")
    file_spec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("home.txt"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(attached)}),
        }
    )
    note = _annotation(
        "/Text", **{"/T": TextStringObject(NOTE_AUTHOR), "/Contents": TextStringObject("see")}
    )
    attachment = _annotation("/FileAttachment", **{"/FS": file_spec})
    page[NameObject("/Annots")] = ArrayObject(
        [writer._add_object(note), writer._add_object(attachment)]
    )
    writer.add_metadata({"/Author": AUTHOR, "/Creator": "CanaryScanner 2.1"})
    writer.root_object[NameObject("/Metadata")] = _xmp(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pictures(data: bytes) -> list[bytes]:
    """The raw bytes of every picture on the PDF's pages (a JPEG's own file bytes)."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        xobjects = page["/Resources"].get_object().get("/XObject") or {}
        for ref in xobjects.values():
            found.append(ref.get_object().get_data())
    return found
