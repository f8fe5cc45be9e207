"""The OpenAPI document as a real consumer reads it: openapi-python-client generates a client from
`/api/v1/openapi.json` without a warning, and that client parses every operation's answer from a live
desk into its model (a generated client returns None for an answer its document does not describe)."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.factories import ArticleFactory, ClaimFactory, UserFactory, to_state, token_for
from factdesk.models import Role

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "factdesk_api_client"


@pytest.fixture
def generated(app, tmp_path):
    """The client generated from the desk's own document, imported from a fresh folder."""
    document = tmp_path / "openapi.json"
    document.write_text(app.test_client().get("/api/v1/openapi.json").get_data(as_text=True))
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: the generated code is imported as written
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(document), "--output-path",
                          str(tmp_path / PACKAGE), "--meta", "none", "--config", str(config), "--fail-on-warning"],
                         capture_output=True, text=True, timeout=300)
    said = run.stdout + run.stderr
    assert run.returncode == 0, said
    assert "WARNING" not in said and "Unable to" not in said and "Cannot parse" not in said, said
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _monitored(source_id: int, text: str) -> None:
    from factdesk.extensions import db
    from factdesk.models import MonitorSource

    from tests.support.factories import MonitoredArticleFactory

    MonitoredArticleFactory(source=db.session.get(MonitorSource, source_id), text=text)


def test_generation_keeps_every_model_and_success_response(app, generated):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    models = generated("models")
    for name in ("Article", "ArticleClaim", "AnnotationCollection", "Annotation", "ClaimDetail", "Anchor",
                 "SearchHit", "Error"):
        assert name in document["components"]["schemas"] and hasattr(models, name), name
    fields = generated("models.error_error_fields").ErrorErrorFields
    assert {"allowed", "occurrences"} <= set(fields.__annotations__)


def test_every_operation_answers_a_model_to_the_generated_client(app, live_server, generated, checker, editor):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operations = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    models = generated("models")
    client_module = generated("client")
    admin = UserFactory(role=Role.admin)
    editor_token = token_for(editor)["Authorization"].split()[1]
    checker_token = token_for(checker)["Authorization"].split()[1]
    as_checker = client_module.AuthenticatedClient(base_url=live_server, token=checker_token,
                                                   raise_on_unexpected_status=True)
    as_editor = client_module.AuthenticatedClient(base_url=live_server, token=editor_token,
                                                  raise_on_unexpected_status=True)
    as_reader = client_module.Client(base_url=live_server, raise_on_unexpected_status=True)
    published = ClaimFactory(article=ArticleFactory(by=admin, title="Earlier story",
                                                    text="The mayor said 12 bridges closed in 2023."), by=admin,
                             quote="12 bridges closed in 2023", summary="Twelve bridges closed in 2023")
    to_state(published, "published", checker, editor)
    called: set[str] = set()

    def call(operation: str, expected, *args, client=as_checker, code: int = 200, **kwargs):
        answer = generated(f"api.default.{operation}").sync_detailed(*args, client=client, **kwargs)
        called.add(operation)
        assert answer.status_code == code, answer.content[:500]
        if expected is None:
            assert answer.parsed is None
        else:
            assert isinstance(answer.parsed, expected), (operation, type(answer.parsed), answer.content[:300])
        return answer.parsed

    text = "The minister said 40% of units were ready in 2022. Critics said far fewer were ready."
    article = call("create_article_api", models.Article, code=201,
                   body=models.ArticleIn(text=text, title="Readiness", source_url="https://news.example/ready"))
    assert article.revision == 1 and article.text == text
    listed = call("list_articles", models.ListArticlesResponse200)
    assert listed.total == 2 and isinstance(listed.items[0], models.ArticleInList)
    claim = call("highlight_claim_api", models.ArticleClaim, article.id, code=201,
                 body=models.HighlightIn(quote="40% of units were ready", summary="40% of units were ready",
                                         claimant="The minister"))
    assert claim.anchor.quote == "40% of units were ready"
    other = call("highlight_claim_api", models.ArticleClaim, article.id, code=201,
                 body=models.HighlightIn(quote="far fewer were ready"))
    read = call("get_article_api", models.Article, article.id)
    assert [c.id for c in read.claims] == [claim.id, other.id] and isinstance(read.claims[0].anchor, models.Anchor)
    collection = call("article_annotations_api", models.AnnotationCollection, article.id)
    assert collection.total == 2 and collection.last == collection.first.id
    revised = call("revise_article_api", models.Article, article.id,
                   body=models.ArticleUpdate(text=text + " The ministry disagreed.", revision=1))
    assert revised.revision == 2
    revisions = call("article_revisions_api", models.ArticleRevisionsApiResponse200, article.id)
    assert [r.number for r in revisions.items] == [2, 1]
    assert call("article_revision_api", models.ArticleRevision, article.id, 1).text == text
    call("article_suggestions", models.ArticleSuggestionsResponse200, article.id)

    detail = call("get_claim", models.ClaimDetail, claim.id)
    assert isinstance(detail.anchor, models.Anchor) and detail.evidence == []
    call("transition_claim", models.ClaimDetail, claim.id,
         body=models.TransitionIn(to=models.TransitionInTo.RESEARCHING))
    detail = call("patch_claim", models.ClaimDetail, claim.id,
                  body=models.ClaimPatch(version=call("get_claim", models.ClaimDetail, claim.id).version,
                                         rating="false", rationale="The audit counts 12%."))
    assert detail.rating == "false"
    evidence = call("add_claim_evidence", models.Evidence, claim.id, code=201,
                    body=models.EvidenceIn(url="https://data.example/audit", title="Audit",
                                           stance=models.EvidenceInStance.REFUTES,
                                           source_type=models.EvidenceInSourceType.OFFICIAL))
    copied = call("claim_copy_evidence", models.ClaimCopyEvidenceResponse201, other.id, code=201,
                  body=models.ClaimCopyEvidenceBody(from_=claim.id))
    assert isinstance(copied.items[0], models.Evidence)
    call("remove_claim_evidence", None, other.id, copied.items[0].id, code=204)
    comment = call("post_claim_comment", models.Comment, claim.id, code=201, body=models.CommentIn(body="Checked."))
    assert call("claim_comments", models.ClaimCommentsResponse200, claim.id).items[0].id == comment.id
    history = call("claim_history", models.ClaimHistoryResponse200, claim.id)
    assert isinstance(history.items[0], models.HistoryEntry)
    call("claim_similar", models.ClaimSimilarResponse200, claim.id)
    duplicate = call("claim_duplicate", models.ClaimInList, other.id, client=as_editor,
                     body=models.ClaimDuplicateBody(of=claim.id, discard=True))
    assert duplicate.status == models.ClaimInListStatus.DISCARDED
    queue = call("list_claims", models.ListClaimsResponse200, status="researching")
    assert [c.id for c in queue.items] == [claim.id] and isinstance(queue.items[0].anchor, models.Anchor)
    hits = call("search", models.SearchResponse200, q="bridges")
    assert isinstance(hits.items[0], models.SearchHit) and isinstance(hits.items[0].claim, models.ClaimInList)
    assert call("me", models.Me).email == checker.email
    assert call("openapi", models.OpenapiResponse200, client=as_reader).openapi == "3.1.0"
    reviews = call("public_claimreviews", models.PublicClaimreviewsResponse200, client=as_reader)
    assert reviews.items[0].claim_reviewed == "Twelve bridges closed in 2023"
    assert isinstance(reviews.items[0].item_reviewed.appearance, models.CreativeWork)
    source = call("add_monitor_source", models.MonitorSource, client=as_editor, code=201,
                  body=models.AddMonitorSourceBody(url="https://harbour.example/feed.xml",
                                                   kind=models.AddMonitorSourceBodyKind.FEED, name="Harbour"))
    assert call("monitor_sources", models.MonitorSourcesResponse200).items[0].id == source.id
    _monitored(source.id, "Harbour radio: the mayor said 12 bridges closed in 2023, a record for the city.")
    candidates = call("monitor_candidates", models.MonitorCandidatesResponse200)
    assert candidates.items and isinstance(candidates.items[0], models.MonitorCandidate)
    [appearance] = call("claim_appearances", models.ClaimAppearancesResponse200, published.id).items
    moved = call("move_claim_appearance", models.Appearance, published.id, appearance.id,
                 body=models.MoveClaimAppearanceBody(state=models.MoveClaimAppearanceBodyState.CONFIRMED))
    assert moved.state == "confirmed"
    assert evidence.id and called == operations

    # A refusal is parsed too: the allowed moves come back typed.
    refused = generated("api.default.transition_claim").sync_detailed(
        claim.id, client=as_checker, body=models.TransitionIn(to=models.TransitionInTo.PUBLISHED))
    assert refused.status_code == 409 and isinstance(refused.parsed, models.Error)
    assert refused.parsed.error.code == "invalid_transition" and "in_review" in refused.parsed.error.fields.allowed
    assert json.loads(refused.content)["error"]["fields"]["allowed"] == refused.parsed.error.fields.allowed
