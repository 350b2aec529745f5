"""The stock Rasa reference (bot/stock.py) is what `rasa init` trains, apart from the epochs."""

import yaml

from bot import stock


def test_rasa_init_config_leaves_pipeline_and_policies_to_rasas_defaults():
    init = yaml.safe_load(stock.init_config().read_text())
    assert not init.get("pipeline") and not init.get("policies")


def test_stock_config_is_rasas_default_with_only_the_epochs_changed(monkeypatch):
    monkeypatch.setenv("STOCK_EPOCHS", "3")
    config = yaml.safe_load(stock.stock_config_text())
    names = [component["name"] for component in config["pipeline"]]
    assert names == ["WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer", "CountVectorsFeaturizer",
                     "CountVectorsFeaturizer", "DIETClassifier", "EntitySynonymMapper", "ResponseSelector",
                     "FallbackClassifier"]
    assert [policy["name"] for policy in config["policies"]] == [
        "MemoizationPolicy", "RulePolicy", "UnexpecTEDIntentPolicy", "TEDPolicy"]
    epochs = [part["epochs"] for part in config["pipeline"] + config["policies"] if "epochs" in part]
    assert epochs == [3, 3, 3, 3]
    monkeypatch.setenv("STOCK_EPOCHS", "100")
    assert "epochs: 100" in stock.stock_config_text()


def test_stock_server_uses_rasas_own_channel_and_tracker_store(tmp_path):
    files = stock.server_files(tmp_path, 5055)
    endpoints = yaml.safe_load(files["endpoints"].read_text())
    assert endpoints["tracker_store"]["type"] == "SQL"
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"
    assert yaml.safe_load(files["credentials"].read_text()) == {"rest": None}
