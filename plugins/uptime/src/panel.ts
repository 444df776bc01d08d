/** The panel's Uptime pages: every monitored address with its state, and one check's history. */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';
import { INTERVALS } from './config.js';

const NewCheck = Type.Object({
  websiteId: Type.String({ title: 'Website', format: 'uuid' }),
  protocol: Type.Union([Type.Literal('http'), Type.Literal('https')], { title: 'Protocol', default: 'https' }),
  path: Type.String({ title: 'Path', default: '/', minLength: 1, maxLength: 1024 }),
  keyword: Type.Optional(Type.String({ title: 'Text the page must contain (optional)', maxLength: 200 })),
  intervalMinutes: Type.Union(
    INTERVALS.map((n) => Type.Literal(n)),
    { title: 'Check every (minutes)', default: 5 },
  ),
});

const EditCheck = Type.Object({
  protocol: Type.Union([Type.Literal('http'), Type.Literal('https')], { title: 'Protocol' }),
  path: Type.String({ title: 'Path', minLength: 1, maxLength: 1024 }),
  intervalMinutes: Type.Union(
    INTERVALS.map((n) => Type.Literal(n)),
    { title: 'Check every (minutes)' },
  ),
});

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'checks',
    title: 'Uptime',
    nav: { label: 'Uptime', section: 'main', order: 37 },
    permission: 'uptime.check.read',
    sections: [
      {
        kind: 'table',
        title: 'Monitored addresses',
        source: '/uptime/checks?limit=200',
        columns: [
          { field: 'url', label: 'Address', link: '/p/uptime/check/{id}' },
          { field: 'state', label: 'State', format: 'status' },
          { field: 'stateSince', label: 'Since', format: 'date' },
          { field: 'uptime7d', label: 'Uptime 7 days (%)' },
          { field: 'uptime30d', label: 'Uptime 30 days (%)' },
          { field: 'lastCheck.responseMs', label: 'Last response (ms)' },
          { field: 'intervalMinutes', label: 'Every (min)' },
        ],
        empty: 'No address is monitored yet. Add one below: you get a mail when it stops answering and when it is back.',
        actions: [
          {
            label: 'Pause',
            method: 'PATCH',
            route: '/uptime/checks/{id}',
            body: { enabled: false },
            permission: 'uptime.check.write',
            when: [{ field: 'enabled', in: [true] }],
          },
          {
            label: 'Resume',
            method: 'PATCH',
            route: '/uptime/checks/{id}',
            body: { enabled: true },
            permission: 'uptime.check.write',
            when: [{ field: 'enabled', in: [false] }],
          },
          {
            label: 'Remove',
            method: 'DELETE',
            route: '/uptime/checks/{id}',
            permission: 'uptime.check.write',
            confirm: 'Stop monitoring {url}? Its history goes too.',
            danger: true,
          },
        ],
      },
      {
        kind: 'form',
        title: 'Monitor a website',
        schema: NewCheck,
        submit: { method: 'POST', route: '/uptime/checks', label: 'Start monitoring' },
        choices: { websiteId: { source: '/websites', value: 'id', label: 'domainDisplay' } },
        permission: 'uptime.check.write',
      },
      {
        kind: 'text',
        text: 'A check fetches the address without following redirects: any answer below 400 within the time limit (and with the text, when you set one) counts as up. After two failed checks in a row you get a mail; another when it answers again. Suspended websites are not checked.',
      },
    ],
  },
  {
    id: 'check',
    title: 'Uptime check',
    pathParam: 'id',
    permission: 'uptime.check.read',
    titleFrom: { source: '/uptime/checks/{id}', field: 'url' },
    sections: [
      {
        kind: 'detail',
        title: 'Check',
        source: '/uptime/checks/{id}',
        fields: [
          { field: 'state', label: 'State', format: 'status' },
          { field: 'stateSince', label: 'Since', format: 'date' },
          { field: 'uptime7d', label: 'Uptime, 7 days (%)' },
          { field: 'uptime30d', label: 'Uptime, 30 days (%)' },
          { field: 'lastCheck.at', label: 'Last checked', format: 'date' },
          { field: 'lastCheck.statusCode', label: 'Last HTTP status' },
          { field: 'lastCheck.responseMs', label: 'Last response (ms)' },
          { field: 'lastCheck.error', label: 'Last problem' },
          { field: 'keyword', label: 'Must contain' },
          { field: 'intervalMinutes', label: 'Every (minutes)' },
          { field: 'enabled', label: 'Checking' },
        ],
        actions: [
          {
            label: 'Check now',
            method: 'POST',
            route: '/uptime/checks/{id}/run',
            permission: 'uptime.check.write',
            result: {
              title: 'Checked',
              fields: [
                { field: 'state', label: 'State' },
                { field: 'lastCheck.error', label: 'Problem' },
              ],
            },
          },
        ],
      },
      {
        kind: 'chart',
        title: 'Uptime per day (%)',
        source: '/uptime/checks/{id}/days?days=30',
        x: 'day',
        series: [{ field: 'uptimePercent', label: 'Uptime' }],
      },
      {
        kind: 'chart',
        title: 'Average response time per day (ms)',
        source: '/uptime/checks/{id}/days?days=30',
        x: 'day',
        series: [{ field: 'averageResponseMs', label: 'Response time' }],
      },
      {
        kind: 'table',
        title: 'Outages',
        source: '/uptime/checks/{id}',
        field: 'incidents',
        columns: [
          { field: 'startedAt', label: 'From', format: 'date' },
          { field: 'endedAt', label: 'To', format: 'date' },
          { field: 'durationSeconds', label: 'Seconds' },
          { field: 'reason', label: 'What the check saw' },
        ],
        empty: 'No outage recorded.',
      },
      {
        kind: 'form',
        title: 'Change',
        schema: EditCheck,
        values: '/uptime/checks/{id}',
        submit: { method: 'PATCH', route: '/uptime/checks/{id}', label: 'Save' },
        permission: 'uptime.check.write',
      },
    ],
  },
];
