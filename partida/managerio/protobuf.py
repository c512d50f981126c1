"""Decoding protobuf-net records, bounded for untrusted input.

Manager stores each object as one protobuf message whose fields are plain scalars, strings,
and the "bcl" sub-messages protobuf-net uses for ``Guid``, ``decimal`` and ``DateTime``
(reference §3). The wire format is small enough to read by hand, and reading it here keeps
every bound in view: a message's size, how many fields it has, and how deep sub-messages go
(only as deep as the class tables in ``classes`` ask for, never more than ``MAX_DEPTH``).
Hand-decoding was chosen over the ``protobuf`` package because that would need generated code
for 20 classes plus protobuf-net's ``bcl.proto``, and it could not bound repeated fields.
"""

from __future__ import annotations

import datetime
import struct
import uuid
from decimal import Decimal
from typing import Any

from partida.managerio.errors import HostileRecord

#: Largest record (one object's content) read: Manager's biggest invoices are a few hundred KB.
MAX_RECORD_BYTES = 16 * 1024 * 1024
#: Most fields (counting each repetition) in one message: 100,000 lines on one document.
MAX_FIELDS = 200_000
#: Sub-messages inside sub-messages: a document, its line, a bcl value in the line.
MAX_DEPTH = 4

#: A decoded message: field number -> its values (int, or bytes for length-delimited).
Message = dict[int, list[Any]]

VARINT, FIXED64, LENGTH, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5
EPOCH = datetime.date(1970, 1, 1)
#: DateTime.MinValue, Manager's date of every starting balance.
MIN_DATE = datetime.date(1, 1, 1)
#: protobuf-net's DateTime scales: days, hours, minutes, seconds, milliseconds, ticks.
SCALE_SECONDS = {0: 86400, 1: 3600, 2: 60, 3: 1}
SCALE_MIN_MAX = 15


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise HostileRecord("a number runs past the end of its record")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
        if shift >= 70:
            raise HostileRecord("a number is longer than ten bytes")


def fields(data: bytes) -> Message:
    """Field number -> every value it has in the message, in order (ints for varint and fixed
    fields, bytes for length-delimited ones). Groups are refused: protobuf-net writes none."""
    if len(data) > MAX_RECORD_BYTES:
        raise HostileRecord(f"a record of {len(data)} bytes")
    found: Message = {}
    at = count = 0
    while at < len(data):
        value: int | bytes
        key, at = read_varint(data, at)
        number, wire = key >> 3, key & 7
        if number < 1 or number > 536_870_911:
            raise HostileRecord(f"field number {number}")
        if wire == VARINT:
            value, at = read_varint(data, at)
        elif wire == FIXED64:
            if at + 8 > len(data):
                raise HostileRecord("a fixed field runs past the end of its record")
            (value,) = struct.unpack_from("<Q", data, at)
            at += 8
        elif wire == FIXED32:
            if at + 4 > len(data):
                raise HostileRecord("a fixed field runs past the end of its record")
            (value,) = struct.unpack_from("<I", data, at)
            at += 4
        elif wire == LENGTH:
            size, at = read_varint(data, at)
            if at + size > len(data):
                raise HostileRecord("a field runs past the end of its record")
            value = data[at : at + size]
            at += size
        else:
            raise HostileRecord(f"wire type {wire}")
        count += 1
        if count > MAX_FIELDS:
            raise HostileRecord(f"more than {MAX_FIELDS} fields in one record")
        found.setdefault(number, []).append(value)
    return found


def zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def submessage(value: object) -> Message:
    if not isinstance(value, bytes):
        raise HostileRecord("a number where a sub-record belongs")
    return fields(value)


def last_int(message: Message, number: int) -> int:
    values = message.get(number)
    if not values:
        return 0
    if not isinstance(values[-1], int):
        raise HostileRecord("text where a number belongs")
    return values[-1]


def bcl_guid(value: object) -> uuid.UUID:
    """bcl.Guid: two little-endian halves of ``Guid.ToByteArray()`` (§3.2)."""
    message = submessage(value)
    low, high = last_int(message, 1), last_int(message, 2)
    if low >= 1 << 64 or high >= 1 << 64:
        raise HostileRecord("a GUID half wider than 64 bits")
    return uuid.UUID(bytes_le=struct.pack("<QQ", low, high))


def bcl_decimal(value: object) -> Decimal:
    """bcl.Decimal: a 96-bit coefficient in two parts and a sign-and-scale word (§3.3)."""
    message = submessage(value)
    low, high, sign_scale = last_int(message, 1), last_int(message, 2), last_int(message, 3)
    scale = (sign_scale >> 1) & 0xFF
    if low >= 1 << 64 or high >= 1 << 32 or scale > 28 or sign_scale >> 9:
        raise HostileRecord("a decimal outside .NET's range")
    coefficient = (high << 64) | low
    return Decimal((sign_scale & 1, tuple(int(d) for d in str(coefficient)), -scale))


def bcl_datetime(value: object) -> datetime.datetime:
    """bcl.DateTime: a zigzag count of a unit after 1970-01-01 (§3.4); scale 15 with -1 is
    DateTime.MinValue, with +1 MaxValue. Returned naive, as Manager writes dates kind-less."""
    message = submessage(value)
    count, scale = zigzag(last_int(message, 1)), last_int(message, 2)
    if scale == SCALE_MIN_MAX:
        if count == -1:
            return datetime.datetime.min
        if count == 1:
            return datetime.datetime.max
        raise HostileRecord("a date marker that is neither the first nor the last day")
    epoch = datetime.datetime(1970, 1, 1)
    try:
        if scale in SCALE_SECONDS:
            return epoch + datetime.timedelta(seconds=count * SCALE_SECONDS[scale])
        if scale == 4:
            return epoch + datetime.timedelta(milliseconds=count)
        if scale == 5:
            return epoch + datetime.timedelta(microseconds=count // 10)
    except OverflowError:
        raise HostileRecord("a date outside the years 1 to 9999") from None
    raise HostileRecord(f"date scale {scale}")


def text(value: object) -> str:
    if not isinstance(value, bytes):
        raise HostileRecord("a number where text belongs")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise HostileRecord("text that is not UTF-8") from None
