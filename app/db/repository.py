"""All database queries of the service live here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, delete, select

from app.db.tables import CheckRecord, Document, Sentence

# Ids are 32-bit integer columns: PostgreSQL refuses to compare one with a larger number, and no row has one.
_MAX_ID = 2**31 - 1
# Documents per query when rows are looked up by (document, index): SQLite parses a chain of OR terms
# as a tree at most 1,000 deep, and a batch of claims on a large corpus can name thousands of documents.
_DOCUMENTS_PER_QUERY = 250


def _may_exist(row_id: int) -> bool:
    return 1 <= row_id <= _MAX_ID


def find_document_by_hash(session: Session, content_hash: str) -> Document | None:
    return session.exec(select(Document).where(Document.content_hash == content_hash)).first()


def add_document(session: Session, document: Document, sentences: Sequence[Sentence]) -> Document:
    """Store a document and its sentences in one transaction, so no half-ingested document is visible."""
    session.add(document)
    session.flush()
    assert document.id is not None
    for sentence in sentences:
        sentence.document_id = document.id
        session.add(sentence)
    session.commit()
    session.refresh(document)
    return document


def get_document(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id) if _may_exist(document_id) else None


def list_documents(session: Session, offset: int, limit: int) -> tuple[list[Document], int]:
    total = session.exec(select(func.count()).select_from(Document)).one()
    offset = min(offset, _MAX_ID)  # beyond every row anyway; a larger number overflows the database's integer
    page = session.exec(select(Document).order_by(col(Document.id)).offset(offset).limit(limit)).all()
    return list(page), int(total)


def delete_document(session: Session, document_id: int) -> bool:
    document = get_document(session, document_id)
    if document is None:
        return False
    session.exec(delete(Sentence).where(col(Sentence.document_id) == document_id))
    session.delete(document)
    session.commit()
    return True


def missing_document_ids(session: Session, document_ids: Iterable[int]) -> list[int]:
    wanted = set(document_ids)
    found = session.exec(select(Document.id).where(col(Document.id).in_({i for i in wanted if _may_exist(i)}))).all()
    return sorted(wanted - set(found))


def document_sentences(session: Session, document_id: int) -> list[Sentence]:
    query = select(Sentence).where(Sentence.document_id == document_id).order_by(col(Sentence.index))
    return list(session.exec(query).all())


def _by_document(keys: Iterable[tuple[int, int]], radius: int) -> dict[int, set[int]]:
    """Sentence indices per document: each key's index and its neighbours within ``radius``."""
    by_document: dict[int, set[int]] = {}
    for document_id, index in keys:
        by_document.setdefault(document_id, set()).update(range(index - radius, index + radius + 1))
    return by_document


def sentences_around(session: Session, keys: Iterable[tuple[int, int]], radius: int) -> dict[tuple[int, int], Sentence]:
    """Sentences ``(document_id, index)`` of ``keys`` and their neighbours within ``radius``."""
    found: dict[tuple[int, int], Sentence] = {}
    for document_id, indices in _by_document(keys, radius).items():
        query = select(Sentence).where(Sentence.document_id == document_id, col(Sentence.index).in_(indices))
        for sentence in session.exec(query):
            found[(sentence.document_id, sentence.index)] = sentence
    return found


def embeddings_of(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored embedding of each ``(document_id, index)`` of ``keys`` that exists."""
    by_document = list(_by_document(keys, radius=0).items())
    found: dict[tuple[int, int], bytes] = {}
    for first in range(0, len(by_document), _DOCUMENTS_PER_QUERY):
        chunk = by_document[first : first + _DOCUMENTS_PER_QUERY]
        # One OR term per document, so the (document_id, index) key is used for each (a row-value IN is not).
        query = select(Sentence.document_id, Sentence.index, Sentence.embedding).where(
            or_(*(and_(col(Sentence.document_id) == d, col(Sentence.index).in_(i)) for d, i in chunk))
        )
        found.update(((document_id, index), embedding) for document_id, index, embedding in session.exec(query))
    return found


def documents_by_id(session: Session, document_ids: Iterable[int]) -> dict[int, Document]:
    query = select(Document).where(col(Document.id).in_(set(document_ids)))
    return {document.id: document for document in session.exec(query) if document.id is not None}


def count_sentences(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Sentence)).one())


def iter_embedding_chunks(
    session: Session, batch_size: int = 10_000
) -> Iterator[tuple[list[int], list[int], list[bytes]]]:
    """Every stored ``(document_ids, indices, embeddings)``, ``batch_size`` rows at a time in id order."""
    last_id = 0
    while True:
        query = (
            select(Sentence.id, Sentence.document_id, Sentence.index, Sentence.embedding)
            .where(col(Sentence.id) > last_id)
            .order_by(col(Sentence.id))
            .limit(batch_size)
        )
        rows = session.exec(query).all()
        if not rows:
            return
        last_id = max(row[0] or 0 for row in rows)
        yield [row[1] for row in rows], [row[2] for row in rows], [row[3] for row in rows]


def sample_embeddings(session: Session, every: int) -> list[bytes]:
    """The embeddings of every ``every``-th sentence by id: a sample spread over the whole corpus."""
    query = select(Sentence.embedding).where(col(Sentence.id) % every == 0)
    return list(session.exec(query).all())


def add_check_records(session: Session, records: Sequence[CheckRecord]) -> None:
    session.add_all(records)
    session.commit()


def get_check(session: Session, check_id: int) -> CheckRecord | None:
    return session.get(CheckRecord, check_id) if _may_exist(check_id) else None


def list_checks(session: Session, offset: int, limit: int, verdict: str | None = None) -> tuple[list[CheckRecord], int]:
    """A page of audit records, newest first, and how many there are (of ``verdict`` only, when given)."""
    where = [col(CheckRecord.verdict) == verdict] if verdict is not None else []
    total = session.exec(select(func.count()).select_from(CheckRecord).where(*where)).one()
    offset = min(offset, _MAX_ID)  # as for documents
    query = select(CheckRecord).where(*where).order_by(col(CheckRecord.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query).all()), int(total)


def all_document_ids(session: Session) -> set[int]:
    return {document_id for document_id in session.exec(select(Document.id)) if document_id is not None}


def sentence_embeddings_of(session: Session, document_ids: Iterable[int]) -> list[tuple[int, int, bytes]]:
    """``(document_id, index, embedding)`` of every sentence of ``document_ids``, in document order."""
    query = (
        select(Sentence.document_id, Sentence.index, Sentence.embedding)
        .where(col(Sentence.document_id).in_(set(document_ids)))
        .order_by(col(Sentence.document_id), col(Sentence.index))
    )
    return [(document_id, index, embedding) for document_id, index, embedding in session.exec(query)]


def ping(session: Session) -> None:
    """A cheap round trip; raises the driver's error when the database is unreachable."""
    session.exec(select(1)).one()
