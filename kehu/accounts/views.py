"""Signing in and out, changing one's password, and 忘记密码: a reset link by email when mail is
configured (KEHU_EMAIL_HOST), otherwise the page says to ask an administrator, who resets it in
设置 › 用户."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from kehu.accounts import services
from kehu.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Back on the login page with 已退出登录, so the person knows it worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("已退出登录"))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        """The new password through the service: the user's other sessions and API tokens end;
        this browser stays signed in."""
        services.user_set_password(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            actor=self.request.user,
            keep_session_key=self.request.session.session_key,
        )
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """忘记密码: the email form when mail is configured, else who to ask. The answer to a
    posted address is the same whether or not someone has it (Django's reset form)."""

    template_name = "registration/password_forgot.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def dispatch(self, request, *args, **kwargs):
        if not settings.EMAIL_CONFIGURED:
            return render(request, "registration/password_forgot.html", {"form": None})
        return super().dispatch(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        """The new password through the service, as every password change: audited, and the
        user's sessions and API tokens end (whoever knew the old one is signed out)."""
        services.user_set_password(
            user=form.user, password=form.cleaned_data["new_password1"], actor=form.user
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
