def test_login_page_is_arabic_rtl_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)
    assert "تسجيل الدخول" in page.get_data(as_text=True)
