from decimal import Decimal

from patientcap.domain.money import allocate, parse_amount, yuan


def test_two_million_yuan_reads_and_prints_exactly():
    assert yuan(parse_amount("2,000,000.00")) == "2000000.00"


def test_an_amount_in_wan_is_ten_thousand_yuan_each():
    assert parse_amount("200万") == 200_000_000


def test_a_split_in_thirds_adds_up_to_the_whole():
    assert sum(allocate(100, [Decimal(1)] * 3)) == 100
