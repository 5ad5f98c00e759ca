"""Pseudonyms: the only place where national numbers are replaced.

Per permit, each INSZ and each enterprise number becomes a meaningless sequence number (``person_seq``,
``employer_seq``), drawn at random and kept in an encrypted, append-only conversion table under a
per-permit key held by the custodian. See ``docs/explanation/pseudonyms.md``.
"""

from crossroads.governance.errors import KeyDestroyed, KeyNotFound
from crossroads.pseudonyms.conversion import (
    KINDS,
    ConversionError,
    ConversionTable,
    ConversionTableCorrupt,
    Converter,
    IdentifierLeft,
    Kind,
    replace,
    seq_column_name,
)
from crossroads.pseudonyms.keys import (
    MASTER_KEY_ENV,
    MASTER_KEY_FILE_ENV,
    FileKeyStore,
    KeyStore,
    MasterKeyError,
    create_master_key_file,
    read_master_key_file,
)

__all__ = [
    "KINDS",
    "MASTER_KEY_ENV",
    "MASTER_KEY_FILE_ENV",
    "ConversionError",
    "ConversionTable",
    "ConversionTableCorrupt",
    "Converter",
    "FileKeyStore",
    "IdentifierLeft",
    "KeyDestroyed",
    "KeyNotFound",
    "KeyStore",
    "Kind",
    "MasterKeyError",
    "create_master_key_file",
    "read_master_key_file",
    "replace",
    "seq_column_name",
]
