"""The extraction pipeline: the only place that knows the order of the steps.

    decode+parse -> metadata -> clutter rules -> readability scoring -> post-clean -> sanitize -> serialize
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from ..errors import BadInput, NoArticle
from . import (
    block_names,
    choose,
    corrections,
    decode,
    guard,
    postclean,
    regions,
    restorable,
    sanitize,
    score,
    siterules,
)
from .collector import collector_paused
from .declutter import remove_clutter
from .metadata import document_url, read_metadata
from .models import Article
from .options import DEFAULT_OPTIONS, Options
from .sanitize import sanitize_html

__all__ = ["extract", "Article", "Options"]

MIN_ARTICLE_CHARS = 25  # less than a sentence, and all of it links: a menu, not an article


def _checked_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    try:
        url.encode("utf-8")  # a lone surrogate (JSON's "\ud800") could not be written back out
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": urllib cannot read it; UnicodeEncodeError is a ValueError too
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadInput("'url' must be an absolute http or https URL.")
    return url


@collector_paused()  # the page's objects make no cycles: no collection passes over them (collector.py)
def extract(html: str | bytes, url: str | None = None, options: Options | None = None, *,
            http_charset: str | None = None) -> Article:
    """The article in `html` (a whole page), with `url` used to resolve links and pick site rules."""
    options = options or DEFAULT_OPTIONS
    url = _checked_url(url)
    site = siterules.site_for(url, options)                       # this host's rule, or one that changes nothing
    page = decode.to_text(html, http_charset)
    page = site.fix_text(page)                                    # the rule's text fixes come before the parse
    guard.check_markup(page, options)                             # refuse what would make the parse blow up
    root = decode.parse(page)                                     # one parse of the page
    guard.check_tree(root, options)                               # refuse trees that cost unbounded time
    meta = read_metadata(root, url)                               # before scripts go: JSON-LD lives in them
    links_base = document_url(root, url)                          # what relative links resolve against
    meta = site.metadata(meta, root)                              # the rule's title, author, date
    postclean.reveal_lazy_images(root)                            # before scoring, which drops <noscript>
    postclean.keep_item_numbers(root)                             # before clutter leaves gaps in a list
    regions.reveal_noscript_content(root)                         # what a script-less browser shows
    regions.reveal_streamed_segments(root)                        # and what a browser's scripts move into place
    regions.unwrap_content_forms(root)                            # a form around the content is no control
    regions.name_fold_headings(root)                              # nor an FAQ's question that opens its answer
    discussion = regions.discussion_kind(meta.kinds)              # a forum thread's posts are its content
    whole_page = not (regions.is_article(meta.kinds) or discussion)  # may be read as a whole page, not an article
    untouched = copy.deepcopy(root) if whole_page else None        # for the choice, a copy from before the rules
    marks = site.strip_marks(root) + corrections.remove_marks(root, options.remove)  # the site's, the reader's
    decluttered = remove_clutter(root, marks, meta.title, options,  # readability never sees it
                                 discussion=discussion == "thread")
    picked = score.best_container(root, decluttered.article_hint, thread=discussion == "thread")  # readability-lxml
    container, confidence = choose.choose(root, picked, untouched, meta.title, options,  # or spread content
                                          discussion=discussion)
    if container is None:
        raise NoArticle("No article was found in the page: it has no text besides menus and links.")
    container, notes = site.body(root, container)                 # the rule's body, unless it is worse
    removed = decluttered.removed + notes
    corrections.place_kept_outside(root, container, decluttered.article_hint, options.keep)
    if options.removed_html:
        restorable.mark_outside_blocks(root, container, decluttered.article_hint)  # banners, promos: a place too
    postclean.tidy(container, links_base, meta.title, meta.byline)  # residue, URLs, empty nodes
    postclean.add_lead_image(container, root, meta.lead_image_url, links_base)  # the hero image above the body
    block_names.name_article_blocks(root, container, options)     # what a reader's "Remove this" saves
    if options.block_selectors:
        removed = block_names.name_removed(removed, decluttered.blocks)  # and its "Keep this"
    text = postclean.plain_text(container)
    if not text.strip() or (len(text) < MIN_ARTICLE_CHARS and postclean.only_links(container)):
        raise NoArticle("No article was found in the page: it has no text besides menus and links.")
    sanitize.bound_text_runs(container)                           # so that the sanitizer's time stays linear
    content = sanitize_html(postclean.to_html(container), options)  # the only way markup leaves the service
    if options.removed_html:
        removed = restorable.with_html(removed, decluttered.blocks, links_base, options)  # to show them again
    words, minutes = postclean.reading_time(text, options)
    return Article(
        url=url or meta.canonical_url,
        title=meta.title,
        byline=meta.byline,
        site_name=meta.site_name,
        lang=meta.lang,
        dir=meta.dir,
        published_time=meta.published_time,
        modified_time=meta.modified_time,
        excerpt=meta.excerpt or postclean.first_sentence(text),
        lead_image_url=meta.lead_image_url,
        content=content,
        text=text,
        word_count=words,
        reading_time_minutes=minutes,
        confidence=confidence,
        removed=removed,
    )
