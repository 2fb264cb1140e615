"""Browser: the home page, the language switch, and every page of the navigation."""

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    save_screenshot,
    visible_effect,
    wait_until_idle,
)

PAGE_TITLES_ZH = {  # URL path -> the page's title in Chinese (locales/zh/nav.json)
    "concepts": "基本概念", "gradient_lab": "梯度实验室", "image_classification": "图像分类",
    "text_classification": "文本分类", "movie_recommender": "电影推荐", "bert_labeling": "BERT 句子标注",
}


def test_home_switch_language_and_visit_every_page(page, app_url):
    open_app(page, app_url)
    page.get_by_text("Deep Learning Playground").first.wait_for()
    assert_no_exception(page)
    save_screenshot(page, "home-en")

    # switch to Chinese with the sidebar picker (the first interaction with this page: see act_then_expect)
    def choose_chinese():
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="简体中文").click()

    act_then_expect(page, choose_chinese, visible_effect(page.get_by_text("深度学习游乐场")))
    wait_until_idle(page)
    assert "lang=zh" in page.url
    save_screenshot(page, "home-zh")

    for path, title in PAGE_TITLES_ZH.items():
        page.locator(f'[data-testid="stSidebarNav"] a[href*="/{path}"]').first.click()
        page.wait_for_url(f"**/{path}*")
        page.locator("h1").filter(has_text=title).first.wait_for()  # the page itself ran, in Chinese
        wait_until_idle(page)
        assert_no_exception(page)
        # still Chinese after navigating: the navigation and the URL say so
        assert "lang=zh" in page.url
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("基本概念").count() == 1


def test_a_deep_link_opens_the_page_inside_the_app_in_its_language(page, app_url):
    open_app(page, app_url, "gradient_lab", language="zh")
    page.get_by_text("梯度实验室").first.wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Language / 语言").wait_for()  # the router ran: its language picker is there
    assert sidebar.locator('[data-testid="stSidebarNav"]').get_by_text("基本概念").count() == 1
    assert_no_exception(page)
