import pytest

from services.publicity.domain.masking import mask_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("王五", "王*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("阿依古丽·买买提", "阿**丽·买*提"),
        ("李", "李"),
    ],
)
def test_names_are_masked_as_chinese_public_notices_show_them(name: str, shown: str) -> None:
    assert mask_name(name) == shown
