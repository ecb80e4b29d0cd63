"""Start-up checks: `apache2 -t` rejects a bad function or directive with a message that
names the file and the problem."""

import shutil

import pytest

from sinchfn_testlib import config_header, config_test, source_dir

DOTENV_VALUE = "leaky-value-3f9e"


def write_config(tmp_path, body, mpm="event"):
    conf = tmp_path / "httpd.conf"
    conf.write_text(config_header(tmp_path, 8, mpm) + body)
    return conf


def location(function_dir, extra="", path="/"):
    return f'<Location {path}>\n    SinchFunction "{function_dir}"\n{extra}</Location>\n'


def assert_rejected(result, conf, *fragments):
    assert result.returncode != 0, result.stdout
    assert str(conf) in result.stdout
    for fragment in fragments:
        assert fragment in result.stdout


def test_valid_config_accepted(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["probe"], "    SinchEnvironment production\n"))

    result = config_test(conf)

    assert result.returncode == 0, result.stdout
    assert "Syntax OK" in result.stdout


def test_function_object_path_accepted(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["probe"] / "function.so"))

    result = config_test(conf)

    assert result.returncode == 0, result.stdout


def test_duplicate_export_rejected(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["dupexport"]))

    result = config_test(conf)

    assert_rejected(result, conf, str(functions["dupexport"] / "function.so"), "export 'status' is declared twice")


def test_wrong_abi_version_rejected(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["abi99"]))

    result = config_test(conf)

    assert_rejected(result, conf, str(functions["abi99"] / "function.so"), "ABI version 99", "sinchfn build")


def test_voice_name_as_endpoint_rejected(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["endpointice"]))

    result = config_test(conf)

    assert_rejected(result, conf, str(functions["endpointice"] / "function.so"),
                    "export 'ice' is a voice callback name", "SINCHFN_VOICE()")


def test_unbuilt_function_rejected(tmp_path):
    unbuilt = tmp_path / "unbuilt"
    unbuilt.mkdir()
    shutil.copy(source_dir() / "handlers" / "example" / "function.c", unbuilt / "function.c")
    conf = write_config(tmp_path, location(unbuilt))

    result = config_test(conf)

    assert_rejected(result, conf, f"{unbuilt} has no function.so", f"sinchfn build {unbuilt}")


def test_missing_function_dir_rejected(tmp_path):
    missing = tmp_path / "missing"
    conf = write_config(tmp_path, location(missing))

    result = config_test(conf)

    assert_rejected(result, conf, f"{missing} does not exist")


def test_object_without_table_rejected(tmp_path, functions):
    # mod_authz_core.so is a shared object without a sinchfn_function_table symbol.
    conf = write_config(tmp_path, location("/usr/lib/apache2/modules/mod_authz_core.so"))

    result = config_test(conf)

    assert_rejected(result, conf, "mod_authz_core.so has no export table", "sinchfn_function_table")


def test_invalid_environment_rejected(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["probe"], "    SinchEnvironment staging\n"))

    result = config_test(conf)

    assert_rejected(result, conf, "SinchEnvironment: 'staging' is not valid", "development or production")


@pytest.mark.parametrize("size", ["0", "-5", "1k", "4294967296"])
def test_invalid_max_body_rejected(tmp_path, functions, size):
    conf = write_config(tmp_path, location(functions["probe"], f"    SinchMaxBodySize {size}\n"))

    result = config_test(conf)

    assert_rejected(result, conf, f"SinchMaxBodySize: '{size}' is not valid")


@pytest.mark.parametrize("name", ["1ABC", "A-B", "A B"])
def test_invalid_variable_name_rejected(tmp_path, functions, name):
    conf = write_config(tmp_path, location(functions["probe"], f'    SinchVariable "{name}" value\n'))

    result = config_test(conf)

    assert_rejected(result, conf, f"SinchVariable: '{name}' is not a valid name")


@pytest.mark.parametrize("locale", ["en US", "en.US", "en/US"])
def test_invalid_fallback_locale_rejected(tmp_path, functions, locale):
    conf = write_config(tmp_path, location(functions["probe"], f'    SinchVoiceFallback "Sorry" "{locale}"\n'))

    result = config_test(conf)

    assert_rejected(result, conf, f"SinchVoiceFallback: '{locale}' is not a locale", "en-US")


def test_fallback_extra_argument_rejected(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["probe"], '    SinchVoiceFallback "Sorry" en-US extra\n'))

    result = config_test(conf)

    assert_rejected(result, conf, "SinchVoiceFallback takes 1-2 arguments")


def test_fallback_voice_name_accepted(tmp_path, functions):
    conf = write_config(tmp_path, location(functions["probe"], '    SinchVoiceFallback "Sorry, try later." Ivy\n'))

    result = config_test(conf)

    assert result.returncode == 0, result.stdout


def test_missing_env_file_rejected(tmp_path, functions):
    missing = tmp_path / "absent.env"
    conf = write_config(tmp_path, location(functions["probe"], f'    SinchEnvFile "{missing}"\n'))

    result = config_test(conf)

    assert_rejected(result, conf, f"SinchEnvFile: {missing} is not a readable file")


def test_env_file_error_hides_values(tmp_path, functions):
    env_file = tmp_path / "bad.env"
    env_file.write_text(f"GOOD=1\nTOKEN {DOTENV_VALUE}\n")
    conf = write_config(tmp_path, location(functions["probe"], f'    SinchEnvFile "{env_file}"\n'))

    result = config_test(conf)

    assert_rejected(result, conf, f"{env_file} line 2 is not NAME=VALUE")
    assert DOTENV_VALUE not in result.stdout


def test_env_file_unclosed_quote_hides_value(tmp_path, functions):
    env_file = tmp_path / "quote.env"
    env_file.write_text(f'TOKEN="{DOTENV_VALUE}\n')
    conf = write_config(tmp_path, location(functions["probe"], f'    SinchEnvFile "{env_file}"\n'))

    result = config_test(conf)

    assert_rejected(result, conf, f"{env_file} line 1", "closing quote")
    assert DOTENV_VALUE not in result.stdout


def test_invalid_sinch_json_rejected(tmp_path, functions):
    broken = tmp_path / "broken"
    shutil.copytree(functions["other"], broken)
    (broken / "sinch.json").write_text('{"name": "broken", "variables": {"A": [1]}}')
    conf = write_config(tmp_path, location(broken))

    result = config_test(conf)

    assert_rejected(result, conf, str(broken / "sinch.json"), "variable 'A' must be a string, number or boolean")


def test_function_at_server_level_rejected(tmp_path, functions):
    conf = write_config(tmp_path, f'SinchFunction "{functions["probe"]}"\n')

    result = config_test(conf)

    assert_rejected(result, conf, "SinchFunction not allowed here")


# A regex <Location ~ ...> is the same as <LocationMatch>: routing needs a literal path.
@pytest.mark.parametrize("placement", [
    '<Directory "{tmp}">\n    SinchFunction "{dir}"\n</Directory>\n',
    '<LocationMatch "^/re">\n    SinchFunction "{dir}"\n</LocationMatch>\n',
    '<Location ~ "^/re">\n    SinchFunction "{dir}"\n</Location>\n',
], ids=["directory", "locationmatch", "location-regex"])
def test_function_outside_location_rejected(tmp_path, functions, placement):
    conf = write_config(tmp_path, placement.format(dir=functions["probe"], tmp=tmp_path))

    result = config_test(conf)

    assert_rejected(result, conf, "SinchFunction must be inside a <Location> block")
