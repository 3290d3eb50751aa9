// expect-secrets: ENDPOINT
const TEMPLATES = {
  en: { enrollment: 'Welcome! Your enrollment code is', login: 'Your login code is' },
  fr: { enrollment: "Bienvenue ! Votre code d'inscription est", login: 'Votre code de connexion est' },
};

function pickLanguage(event) {
  // The user's saved preference wins over the browser's language.
  const preferred = (event.user.user_metadata && event.user.user_metadata.language) || event.request.language || 'en';
  const base = String(preferred).split('-')[0];
  return TEMPLATES[base] ? base : 'en';
}

exports.onExecuteSendPhoneMessage = async (event, api) => {
  const lang = pickLanguage(event);
  const kind = event.message_options.action === 'enrollment' ? 'enrollment' : 'login';
  const body = `${TEMPLATES[lang][kind]} ${event.message_options.code}`;
  await fetch(`${event.secrets.ENDPOINT}/i18n/${lang}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-recipient': event.message_options.recipient },
    body,
  });
};
