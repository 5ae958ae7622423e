// The text of a sign-in code, Simplified Chinese first, English second (one message: the relay
// does not know the app's language when it sends).

export function codeEmail(code: string, ttlMinutes: number): { subject: string; text: string } {
  return {
    subject: `直播助手登录验证码 ${code} / Sign-in code`,
    text: [
      `你的登录验证码是 ${code}，${ttlMinutes} 分钟内有效，只能使用一次。`,
      '如果不是你本人在登录，请忽略这封邮件，不要把验证码告诉任何人。',
      '',
      `Your sign-in code is ${code}. It works once, within ${ttlMinutes} minutes.`,
      'If you did not try to sign in, ignore this email and do not share the code.'
    ].join('\n')
  }
}

export function codeSms(code: string, ttlMinutes: number): string {
  return `【直播助手】登录验证码 ${code}，${ttlMinutes} 分钟内有效，请勿告诉他人。Sign-in code ${code}, valid ${ttlMinutes} min.`
}
