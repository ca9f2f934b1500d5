from patientcap.accounts.models import User


def test_a_chinese_name_is_shown_family_name_first_without_a_space():
    assert User(first_name="晓岚", last_name="林").get_full_name() == "林晓岚"


def test_a_latin_name_keeps_the_usual_order():
    assert User(first_name="Ada", last_name="Lovelace").get_full_name() == "Ada Lovelace"
