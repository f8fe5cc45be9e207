"""Articles through the API (DESIGN.md §8): list, import, read, revise (re-anchors), revisions,
W3C annotations, and highlighting a claim. The same domain functions as the desk pages."""
from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin

from flask import jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, undefer

from ..access import current_actor
from ..articles import importing
from ..articles.annotations import annotation_collection
from ..articles.importing import ArticleMeta, parse_date
from ..articles.revise import revise_article
from ..claims.highlight import add_claim, locate
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Article, ArticleRevision, Claim, Role
from ..public.slugs import article_path
from . import schemas, serialize
from .base import committed, endpoint, json_body, paginate

ANNOTATION_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def _article(article_id: int, *, text: bool = True) -> Article:
    query = select(Article).where(Article.id == article_id)
    if text:
        query = query.options(undefer(Article.text))
    article = db.session.execute(query).scalar()
    if article is None:
        raise NotFound(f"There is no article {article_id}.")
    return article


def _claims(article_id: int) -> list[Claim]:
    return list(db.session.execute(
        select(Claim).where(Claim.article_id == article_id)
        .options(joinedload(Claim.rating), joinedload(Claim.assignee))
        .order_by(Claim.anchor_start, Claim.anchor_end, Claim.id)).unique().scalars())


def _full(article: Article, claims: list[Claim] | None = None) -> dict:
    claims = _claims(article.id) if claims is None else claims
    body = serialize.article(article, claims=claims)
    body["anchor_states"] = dict(Counter(c.anchor_state.value for c in claims))
    return body


@endpoint("/articles", least=Role.checker, summary="The desk's articles, newest first (paginated, no text)",
          response=schemas.page_of(schemas.ArticleInList), query=schemas.PAGE_PARAMS)
def list_articles():
    query = select(Article).order_by(Article.created_at.desc(), Article.id.desc())
    return jsonify(paginate(query, lambda a: serialize.article(a, with_text=False),
                            count_query=select(func.count(Article.id))))


@endpoint("/articles", "POST", least=Role.checker, body=schemas.ArticleIn, response=schemas.Article, status=201,
          summary="Add an article from text, html or url (+ title, source_url, publisher, author, published_at); "
                  "a url is fetched and its article extracted, the page kept as provenance",
          errors=(413, 422))
def create_article_api():
    data = json_body(schemas.ArticleIn)
    given = [key for key in ("text", "html", "url") if data.get(key) is not None]
    if len(given) != 1:
        raise ValidationError("Send exactly one of text, html or url.",
                              fields={key: "one_of" for key in ("text", "html", "url")})
    meta = ArticleMeta(title=data.get("title"), source_url=data.get("source_url"), publisher=data.get("publisher"),
                       author=data.get("author"), published_at=parse_date(data.get("published_at")))
    by = current_actor()
    if given == ["text"]:
        article = importing.import_text(data["text"], by, meta)
    elif given == ["html"]:
        article = importing.import_html(data["html"], by, meta)
    else:
        article = importing.import_url(data["url"], by, meta)
    response = committed(lambda: _full(article, []), 201)
    response.headers["Location"] = f"/api/v1/articles/{article.id}"
    return response


@endpoint("/articles/<int:article_id>", least=Role.checker, response=schemas.Article,
          summary="An article: canonical text, revision, and every claim with its anchor")
def get_article_api(article_id: int):
    return jsonify(_full(_article(article_id)))


@endpoint("/articles/<int:article_id>", "PUT", least=Role.checker, body=schemas.ArticleUpdate,
          response=schemas.Article, errors=(409, 413),
          summary="Revise the text: a new revision, every claim re-anchored; answers each claim's anchor.state "
                  "(409 stale_revision when `revision` is not the current one)")
def revise_article_api(article_id: int):
    data = json_body(schemas.ArticleUpdate)
    article = _article(article_id)
    revise_article(article, data["text"], current_actor(), data.get("note"),
                          base_revision=data.get("revision"))
    return committed(lambda: _full(article))


def _revision(row: ArticleRevision, *, with_text: bool = False) -> dict:
    return serialize.article_revision(row, with_text=with_text)


@endpoint("/articles/<int:article_id>/revisions", least=Role.checker, query=schemas.PAGE_PARAMS,
          response=schemas.page_of(schemas.ArticleRevision), summary="An article's revisions, newest first")
def article_revisions_api(article_id: int):
    _article(article_id, text=False)
    query = (select(ArticleRevision).options(joinedload(ArticleRevision.created_by))
             .where(ArticleRevision.article_id == article_id).order_by(ArticleRevision.number.desc()))
    return jsonify(paginate(query, _revision, count_query=select(func.count(ArticleRevision.id))
                            .where(ArticleRevision.article_id == article_id)))


@endpoint("/articles/<int:article_id>/revisions/<int:number>", least=Role.checker,
          response=schemas.ArticleRevision, summary="One revision of an article, with its full text")
def article_revision_api(article_id: int, number: int):
    row = db.session.execute(
        select(ArticleRevision).options(undefer(ArticleRevision.text), joinedload(ArticleRevision.created_by))
        .where(ArticleRevision.article_id == article_id, ArticleRevision.number == number)).scalar()
    if row is None:
        raise NotFound(f"Article {article_id} has no revision {number}.")
    return jsonify(_revision(row, with_text=True))


def _annotation_id(claim: Claim) -> str:
    """A published check's annotation is its public page, which any reader can open; others the desk's."""
    public = serialize.public_url(claim)
    return urljoin(request.url_root, public or url_for("desk.claim", claim_id=claim.id))


def _annotation_target(claim: Claim) -> str:
    public = serialize.public_url(claim) and article_path(claim.article)
    return urljoin(request.url_root, public or url_for("desk.article", article_id=claim.article_id))


@endpoint("/articles/<int:article_id>/annotations", least=Role.checker, response=schemas.AnnotationCollection,
          summary="The article's claims as a W3C Web Annotation collection (JSON-LD)", media_type=ANNOTATION_TYPE)
def article_annotations_api(article_id: int):
    article = _article(article_id, text=False)
    collection = annotation_collection(article, _claims(article_id), request.url_root,
                                       claim_url=_annotation_id, target_url=_annotation_target,
                                       collection_url=request.base_url)
    response = jsonify(collection)
    response.mimetype = "application/ld+json"
    response.headers["Content-Type"] = ANNOTATION_TYPE
    return response


@endpoint("/articles/<int:article_id>/claims", "POST", least=Role.checker, body=schemas.HighlightIn,
          response=schemas.ArticleClaim, status=201, errors=(409,),
          summary="Highlight a claim: start+end, or quote (+prefix/suffix); 409 ambiguous_quote with "
                  "fields.occurrences, 409 duplicate_highlight")
def highlight_claim_api(article_id: int):
    data = json_body(schemas.HighlightIn)
    article = _article(article_id)
    anchor = locate(article, start=data.get("start"), end=data.get("end"), quote=data.get("quote"),
                    prefix=data.get("prefix"), suffix=data.get("suffix"))
    claim = add_claim(article, current_actor(), anchor, summary=data.get("summary", ""),
                      claimant=data.get("claimant", ""),
                      claimed_at=parse_date(data.get("claimed_at"), field="claimed_at"))
    response = committed(lambda: serialize.claim(claim), 201)
    response.headers["Location"] = f"/api/v1/claims/{claim.id}"
    return response
