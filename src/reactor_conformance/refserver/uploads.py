"""Reading an extension package upload: a multipart form whose ``package`` file is a zip holding
``extension.json`` (``name``, ``platform``, ``version``, ``displayName``), as Adobe's uploader sends it."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from .bodies import media_type, read_body, storable
from .errors import ApiError

MULTIPART = "multipart/form-data"
MAX_UPLOAD_BYTES = 10 << 20
MAX_MANIFEST_BYTES = 1 << 20
PLATFORMS = ("web", "mobile")

# The multipart parser logs a warning for every malformed body; here that is the client's error, answered 422.
logging.getLogger("python_multipart.multipart").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Manifest:
    name: str
    display_name: str
    platform: str
    version: str


def _invalid(detail: str) -> ApiError:
    return ApiError(422, "invalid-document", detail)


async def uploaded_manifest(request: Request) -> Manifest:
    if media_type(request) != MULTIPART:
        raise ApiError(415, "unsupported-media-type", "An extension package is uploaded as multipart/form-data.")
    body = await read_body(request, MAX_UPLOAD_BYTES)

    async def stream():
        yield body

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=16,
                                     max_part_size=MAX_UPLOAD_BYTES).parse()
    except (MultiPartException, ValueError) as error:
        raise _invalid(f"The multipart body cannot be read: {error}") from None
    upload = form.get("package")
    if not isinstance(upload, UploadFile):
        raise _invalid("The form needs a file field named package.")
    try:
        return read_manifest(await upload.read())
    finally:
        await upload.close()


def read_manifest(archive: bytes) -> Manifest:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as package:
            info = package.getinfo("extension.json")
            if info.file_size > MAX_MANIFEST_BYTES:
                raise _invalid("extension.json is too large.")
            raw = package.read(info)
    except KeyError:
        raise _invalid("The package has no extension.json.") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            ValueError):
        raise _invalid("The package is not a readable zip archive.") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _invalid("extension.json is not valid JSON.") from None
    if not isinstance(manifest, dict):
        raise _invalid("extension.json must hold a JSON object.")
    fields = {}
    for key, max_length in (("name", 255), ("displayName", 255), ("platform", 16), ("version", 64)):
        if not storable(manifest.get(key), max_length):
            raise _invalid(f"extension.json needs {key}: a non-empty string of at most {max_length} characters.")
        fields[key] = manifest[key]
    if fields["platform"] not in PLATFORMS:
        raise _invalid("extension.json: platform must be web or mobile.")
    return Manifest(fields["name"], fields["displayName"], fields["platform"], fields["version"])
