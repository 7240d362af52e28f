import nodemailer from 'nodemailer';
import { ConfigError } from '../config';
import type { ReportContent } from './report-content';

/**
 * The SMTP server comes from the environment, never from the config file or the store:
 * WASPEND_SMTP_HOST (required), WASPEND_SMTP_PORT (default 587, 465 with tls), WASPEND_SMTP_TLS
 * (`starttls` default: STARTTLS required; `tls`: implicit TLS; `none`: plain, for a relay on localhost),
 * WASPEND_SMTP_USER and WASPEND_SMTP_PASSWORD (both or neither).
 */
export interface SmtpSettings {
  host: string;
  port: number;
  tls: 'starttls' | 'tls' | 'none';
  user?: string;
  password?: string;
}

export function smtpSettingsFromEnv(env: NodeJS.ProcessEnv): SmtpSettings {
  const host = env.WASPEND_SMTP_HOST?.trim();
  if (!host) throw new ConfigError('WASPEND_SMTP_HOST', 'must be set when a report is delivered by smtp');
  const tls = (env.WASPEND_SMTP_TLS?.trim() || 'starttls') as SmtpSettings['tls'];
  if (!['starttls', 'tls', 'none'].includes(tls)) throw new ConfigError('WASPEND_SMTP_TLS', `must be starttls, tls or none, got "${tls}"`);
  const portText = env.WASPEND_SMTP_PORT?.trim();
  const port = portText ? Number(portText) : tls === 'tls' ? 465 : 587;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError('WASPEND_SMTP_PORT', `"${portText}" is not a port number (1-65535)`);
  const user = env.WASPEND_SMTP_USER || undefined;
  const password = env.WASPEND_SMTP_PASSWORD || undefined;
  if (Boolean(user) !== Boolean(password)) throw new ConfigError(user ? 'WASPEND_SMTP_PASSWORD' : 'WASPEND_SMTP_USER', 'set both WASPEND_SMTP_USER and WASPEND_SMTP_PASSWORD, or neither');
  return { host, port, tls, ...(user ? { user } : {}), ...(password ? { password } : {}) };
}

export interface Mail {
  from: string;
  to: readonly string[];
  content: ReportContent;
}

/** Sends over SMTP with nodemailer; the CSV is an attachment, the summary the text body. */
export function createSmtpSender(settings: SmtpSettings): { send(mail: Mail): Promise<void>; secrets: string[]; close(): void } {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'tls',
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return {
    secrets: [settings.password ?? '', settings.user ?? ''].filter(Boolean),
    async send(mail) {
      await transport.sendMail({
        from: mail.from,
        to: [...mail.to],
        subject: mail.content.subject,
        text: `${mail.content.summary}\n\nThe report is attached as ${mail.content.filename} (CSV, RFC 4180).\n`,
        attachments: [{ filename: mail.content.filename, content: mail.content.csv, contentType: 'text/csv; charset=utf-8' }],
      });
    },
    close: () => transport.close(),
  };
}
