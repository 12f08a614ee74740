"""Sign-in, dashboard, access histories, break-glass and account pages."""

from django.urls import path

from sightline.web.views import access as v
from sightline.web.views import accounts

urlpatterns = [
    path("", v.dashboard, name="dashboard"),
    path("sign-in", v.sign_in, name="login"),
    path("sign-in/security-code", v.second_factor, name="login_code"),
    path("sign-out", v.sign_out, name="logout"),
    path("account/activity", v.my_activity, name="my_activity"),
    path("people/<str:person_id>/break-glass", v.break_glass, name="break_glass"),
    path("review/break-glass", v.break_glass_queue, name="break_glass_queue"),
    path("review/break-glass/<str:grant_id>", v.break_glass_review, name="break_glass_review"),
    path("review/access", v.person_access_search, name="person_access_search"),
    path("review/access/<str:person_id>", v.person_access_log, name="person_access_log"),
    path("accounts", v.users, name="users"),
    path("accounts/new", v.user_new, name="user_new"),
    # Before accounts/<username>: these names are reserved usernames.
    path("accounts/role-changes", accounts.role_changes, name="role_changes"),
    path("accounts/role-changes/<str:request_id>", accounts.role_change, name="role_change"),
    path("accounts/tokens", accounts.api_tokens, name="api_tokens"),
    path("accounts/<str:username>", v.user_detail, name="user_detail"),
    path("accounts/<str:username>/role", v.user_role, name="user_role"),
    path("accounts/<str:username>/<str:action>", v.user_action, name="user_action"),
]
