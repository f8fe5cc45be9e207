"""Monitoring (DESIGN.md §15): sources the desk follows, read on a schedule by the job queue; each new
item imported as a monitored article, its sentences scored and matched against published checks.

- `sources.py`: sources and topics (editors keep them); `crawl.py`: robots.txt, per-host pace, the
  safe fetcher with conditional requests; `reading.py`: feeds, sitemaps, pages into items;
- `passes.py`: the jobs (`monitor.pass`, `monitor.source`) and `flask monitor run`;
- `ingest.py`: scoring and matching, candidates, appearances and their notifications;
- `candidates.py`: what /desk/monitor and the API list, and a candidate made a claim;
- `appearances.py`: an appearance's states (pending, confirmed, dismissed, public) and who moves them.
"""
