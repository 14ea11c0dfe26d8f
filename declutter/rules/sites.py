"""Per-site rules, as the pipeline and the tools import them: the names of the modules that do the work.

- `xpath`: XPath compiled once and checked for what lxml only notices when it runs
- `site_rule`: the rule model (SiteRule, SiteTest), rule names, RuleError
- `site_loader`: the strict TOML loader (parse_rule, load_rule)
- `site_index`: which rule applies to a host (SiteIndex, rule_for)
- `site_apply`: the functions that apply a rule to a page (find_replace, strip_targets, ...)

The TOML writer (`site_writer.dump_rule`) is not re-exported: only the offline importer (`ftr.py`)
writes rules, and nothing on the request path should import it.
"""

from __future__ import annotations

from .site_apply import find_replace, read_metadata, select_body, strip_targets
from .site_index import SITES_DIR, SiteIndex, candidate_names, default_index, normalize_host, rule_for
from .site_loader import IGNORED_KEYS, KEYS, TEST_KEYS, load_rule, parse_rule, toml_string
from .site_rule import ANY_SUBDOMAIN, RULE_SUFFIX, RuleError, SiteRule, SiteTest, is_rule_name, rule_name
from .xpath import compile_xpath

__all__ = [
    "ANY_SUBDOMAIN", "IGNORED_KEYS", "KEYS", "RULE_SUFFIX", "SITES_DIR", "TEST_KEYS",
    "RuleError", "SiteIndex", "SiteRule", "SiteTest",
    "candidate_names", "compile_xpath", "default_index", "find_replace", "is_rule_name", "load_rule",
    "normalize_host", "parse_rule", "read_metadata", "rule_for", "rule_name", "select_body", "strip_targets",
    "toml_string",
]
