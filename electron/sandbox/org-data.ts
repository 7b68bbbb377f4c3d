// Reference data the organisation generator draws from: names, departments,
// titles, offices, the app catalog. Kept apart from the generator so the
// algorithm reads on its own. All companies and domains are fictional
// (`*.example.com`, RFC 2606) so a demo screenshot never shows a real firm.

export const COMPANIES: readonly { name: string; slug: string }[] = [
  { name: 'Northwind Labs', slug: 'northwind' },
  { name: 'Fabrikam Systems', slug: 'fabrikam' },
  { name: 'Contoso Analytics', slug: 'contoso' },
  { name: 'Tailspin Robotics', slug: 'tailspin' },
  { name: 'Wingtip Cloud', slug: 'wingtip' },
  { name: 'Adatum Health', slug: 'adatum' },
  { name: 'Litware Finance', slug: 'litware' },
  { name: 'Proseware Software', slug: 'proseware' },
];

export const FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
  'Ronald', 'Rebecca', 'Jason', 'Laura', 'Edward', 'Sharon', 'Jeffrey', 'Cynthia', 'Ryan', 'Kathleen',
  'Jacob', 'Amy', 'Gary', 'Angela', 'Nicholas', 'Shirley', 'Eric', 'Anna', 'Jonathan', 'Brenda',
  'Aisha', 'Mohammed', 'Fatima', 'Omar', 'Priya', 'Arjun', 'Ananya', 'Rahul', 'Wei', 'Mei',
  'Hiroshi', 'Yuki', 'Sakura', 'Kenji', 'Min-jun', 'Seo-yeon', 'Ji-ho', 'Chen', 'Li', 'Xin',
  'Santiago', 'Valentina', 'Mateo', 'Camila', 'Sebastián', 'Lucía', 'Diego', 'Sofía', 'Joaquín', 'Martina',
  'Lukas', 'Emma', 'Leon', 'Mia', 'Finn', 'Hannah', 'Jonas', 'Lea', 'Elias', 'Clara',
  'Léa', 'Hugo', 'Chloé', 'Louis', 'Zoë', 'Noah', 'Olivia', 'Liam', 'Ava', 'Ethan',
  'Björn', 'Astrid', 'Søren', 'Ingrid', 'Lars', 'Freya', 'Mikko', 'Aino', 'Jakub', 'Zofia',
  'Kwame', 'Ama', 'Chidi', 'Ngozi', 'Tunde', 'Amara', 'Sipho', 'Thandiwe', 'Yusuf', 'Zainab',
  'Dmitri', 'Olga', 'Ivan', 'Natalia', 'Giulia', 'Marco', 'Francesca', 'Luca', 'Ines', 'Tiago',
  'Rohan', 'Kavya', 'Vikram', 'Neha', 'Sanjay', 'Deepa', 'Tariq', 'Leila', 'Reza', 'Shirin',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  "O'Brien", "O'Connor", 'McCarthy', 'Byrne', 'Walsh', 'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber',
  'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Fournier', 'Girard',
  'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Silva', 'Santos', 'Oliveira', 'Pereira',
  'Costa', 'Fernández', 'Núñez', 'Jiménez', 'Navarro', 'Kowalski', 'Nowak', 'Wiśniewski', 'Novák', 'Horváth',
  'Andersson', 'Johansson', 'Karlsson', 'Nielsen', 'Jensen', 'Hansen', 'Larsen', 'Virtanen', 'Korhonen', 'Berg',
  'Wang', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu',
  'Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Park', 'Choi',
  'Sharma', 'Singh', 'Kumar', 'Gupta', 'Reddy', 'Iyer', 'Nair', 'Rao', 'Desai', 'Mehta',
  'Okafor', 'Adeyemi', 'Mensah', 'Owusu', 'Nkosi', 'Dlamini', 'Haddad', 'Khalil', 'Rahman', 'Hossain',
  'Ivanov', 'Petrov', 'Volkov', 'Popescu', 'Papadopoulos', 'Yilmaz', 'Demir', 'Cohen', 'Levi', 'Friedman',
];

export type DepartmentDef = {
  slug: string;
  name: string;
  /** Relative head-count weight. */
  weight: number;
  headTitle: string;
  /** Title of a first-line manager in this department. */
  managerTitle: string;
  /** Individual-contributor roles. */
  roles: readonly string[];
  /** Seniority prefixes with weights, applied to IC roles. */
  levels: readonly (readonly [string, number])[];
  costCenter: string;
  division: string;
};

const ENG_LEVELS = [['Associate', 8], ['', 40], ['Senior', 32], ['Staff', 13], ['Principal', 7]] as const;
const BIZ_LEVELS = [['Junior', 10], ['', 50], ['Senior', 32], ['Lead', 8]] as const;

// Ordered by how early a growing company has the department: a 50-person org
// gets the first few, a large one all of them.
export const DEPARTMENTS: readonly DepartmentDef[] = [
  { slug: 'engineering', name: 'Engineering', weight: 28, headTitle: 'Chief Technology Officer', managerTitle: 'Engineering Manager',
    roles: ['Software Engineer', 'Backend Engineer', 'Frontend Engineer', 'Site Reliability Engineer', 'QA Engineer', 'Mobile Engineer', 'Platform Engineer'],
    levels: ENG_LEVELS, costCenter: 'CC-1100', division: 'R&D' },
  { slug: 'sales', name: 'Sales', weight: 14, headTitle: 'Chief Revenue Officer', managerTitle: 'Sales Manager',
    roles: ['Account Executive', 'Sales Development Representative', 'Solutions Engineer', 'Sales Operations Analyst'],
    levels: BIZ_LEVELS, costCenter: 'CC-2100', division: 'Go-to-Market' },
  { slug: 'support', name: 'Support', weight: 8, headTitle: 'VP of Support', managerTitle: 'Support Manager',
    roles: ['Support Engineer', 'Customer Support Specialist', 'Technical Support Analyst'],
    levels: BIZ_LEVELS, costCenter: 'CC-2300', division: 'Customer' },
  { slug: 'marketing', name: 'Marketing', weight: 6, headTitle: 'Chief Marketing Officer', managerTitle: 'Marketing Manager',
    roles: ['Product Marketing Manager', 'Content Strategist', 'Demand Generation Manager', 'Marketing Operations Specialist', 'Brand Designer'],
    levels: BIZ_LEVELS, costCenter: 'CC-2200', division: 'Go-to-Market' },
  { slug: 'product', name: 'Product', weight: 5, headTitle: 'Chief Product Officer', managerTitle: 'Group Product Manager',
    roles: ['Product Manager', 'Technical Program Manager', 'Product Analyst'],
    levels: BIZ_LEVELS, costCenter: 'CC-1200', division: 'R&D' },
  { slug: 'finance', name: 'Finance', weight: 4, headTitle: 'Chief Financial Officer', managerTitle: 'Finance Manager',
    roles: ['Financial Analyst', 'Accountant', 'Payroll Specialist', 'Procurement Specialist'],
    levels: BIZ_LEVELS, costCenter: 'CC-3100', division: 'G&A' },
  { slug: 'it', name: 'IT', weight: 4, headTitle: 'Chief Information Officer', managerTitle: 'IT Manager',
    roles: ['IT Support Engineer', 'Systems Administrator', 'IT Engineer', 'Identity Engineer'],
    levels: BIZ_LEVELS, costCenter: 'CC-3300', division: 'G&A' },
  { slug: 'customer-success', name: 'Customer Success', weight: 6, headTitle: 'VP of Customer Success', managerTitle: 'Customer Success Manager Lead',
    roles: ['Customer Success Manager', 'Implementation Consultant', 'Renewals Manager'],
    levels: BIZ_LEVELS, costCenter: 'CC-2400', division: 'Customer' },
  { slug: 'operations', name: 'Operations', weight: 5, headTitle: 'Chief Operating Officer', managerTitle: 'Operations Manager',
    roles: ['Business Operations Analyst', 'Program Manager', 'Workplace Coordinator', 'Facilities Specialist'],
    levels: BIZ_LEVELS, costCenter: 'CC-3400', division: 'G&A' },
  { slug: 'people', name: 'People', weight: 3, headTitle: 'Chief People Officer', managerTitle: 'People Partner Lead',
    roles: ['People Partner', 'Recruiter', 'Talent Sourcer', 'People Operations Specialist'],
    levels: BIZ_LEVELS, costCenter: 'CC-3200', division: 'G&A' },
  { slug: 'design', name: 'Design', weight: 3, headTitle: 'VP of Design', managerTitle: 'Design Manager',
    roles: ['Product Designer', 'UX Researcher', 'Content Designer'],
    levels: BIZ_LEVELS, costCenter: 'CC-1300', division: 'R&D' },
  { slug: 'security', name: 'Security', weight: 2.5, headTitle: 'Chief Information Security Officer', managerTitle: 'Security Manager',
    roles: ['Security Engineer', 'Security Analyst', 'GRC Analyst', 'Detection Engineer'],
    levels: ENG_LEVELS, costCenter: 'CC-1400', division: 'R&D' },
  { slug: 'data', name: 'Data', weight: 3, headTitle: 'VP of Data', managerTitle: 'Data Science Manager',
    roles: ['Data Scientist', 'Data Analyst', 'Analytics Engineer', 'Machine Learning Engineer'],
    levels: ENG_LEVELS, costCenter: 'CC-1500', division: 'R&D' },
  { slug: 'legal', name: 'Legal', weight: 1.5, headTitle: 'General Counsel', managerTitle: 'Legal Manager',
    roles: ['Corporate Counsel', 'Paralegal', 'Privacy Counsel', 'Contracts Manager'],
    levels: BIZ_LEVELS, costCenter: 'CC-3500', division: 'G&A' },
];

/** The CEO's department: one person (plus whoever the org adds), still a real department group. */
export const EXECUTIVE: DepartmentDef = {
  slug: 'executive', name: 'Executive', weight: 0, headTitle: 'Chief Executive Officer', managerTitle: 'Chief of Staff',
  roles: ['Executive Assistant'], levels: [['', 1]], costCenter: 'CC-0100', division: 'Executive',
};

export type LocationDef = {
  city: string;
  state: string | null;
  countryCode: string;
  timezone: string;
  locale: string;
  phonePrefix: string;
  zipCode: string;
  weight: number;
  /** Full country name and coordinates, for System Log geographical context. */
  country: string;
  lat: number;
  lon: number;
};

// The first office is headquarters and carries the most people.
export const LOCATIONS: readonly LocationDef[] = [
  { city: 'San Francisco', state: 'CA', countryCode: 'US', timezone: 'America/Los_Angeles', locale: 'en_US', phonePrefix: '+1-415-555-', zipCode: '94105', weight: 30, country: 'United States', lat: 37.7897, lon: -122.3942 },
  { city: 'New York', state: 'NY', countryCode: 'US', timezone: 'America/New_York', locale: 'en_US', phonePrefix: '+1-212-555-', zipCode: '10013', weight: 14, country: 'United States', lat: 40.7209, lon: -74.0007 },
  { city: 'London', state: null, countryCode: 'GB', timezone: 'Europe/London', locale: 'en_GB', phonePrefix: '+44-20-7946-', zipCode: 'EC2A 4NE', weight: 10, country: 'United Kingdom', lat: 51.5226, lon: -0.0826 },
  { city: 'Austin', state: 'TX', countryCode: 'US', timezone: 'America/Chicago', locale: 'en_US', phonePrefix: '+1-512-555-', zipCode: '78701', weight: 8, country: 'United States', lat: 30.2672, lon: -97.7431 },
  { city: 'Berlin', state: null, countryCode: 'DE', timezone: 'Europe/Berlin', locale: 'de_DE', phonePrefix: '+49-30-5557-', zipCode: '10115', weight: 6, country: 'Germany', lat: 52.5321, lon: 13.3849 },
  { city: 'Toronto', state: 'ON', countryCode: 'CA', timezone: 'America/Toronto', locale: 'en_CA', phonePrefix: '+1-416-555-', zipCode: 'M5V 2T6', weight: 5, country: 'Canada', lat: 43.6453, lon: -79.3806 },
  { city: 'Dublin', state: null, countryCode: 'IE', timezone: 'Europe/Dublin', locale: 'en_IE', phonePrefix: '+353-1-555-', zipCode: 'D02 X285', weight: 4, country: 'Ireland', lat: 53.3419, lon: -6.2597 },
  { city: 'Seattle', state: 'WA', countryCode: 'US', timezone: 'America/Los_Angeles', locale: 'en_US', phonePrefix: '+1-206-555-', zipCode: '98101', weight: 4, country: 'United States', lat: 47.6097, lon: -122.3331 },
  { city: 'Bangalore', state: 'KA', countryCode: 'IN', timezone: 'Asia/Kolkata', locale: 'en_IN', phonePrefix: '+91-80-5555-', zipCode: '560001', weight: 5, country: 'India', lat: 12.9716, lon: 77.5946 },
  { city: 'Singapore', state: null, countryCode: 'SG', timezone: 'Asia/Singapore', locale: 'en_SG', phonePrefix: '+65-6555-', zipCode: '018989', weight: 3, country: 'Singapore', lat: 1.2834, lon: 103.8607 },
  { city: 'Sydney', state: 'NSW', countryCode: 'AU', timezone: 'Australia/Sydney', locale: 'en_AU', phonePrefix: '+61-2-5550-', zipCode: '2000', weight: 3, country: 'Australia', lat: -33.8688, lon: 151.2093 },
  { city: 'Paris', state: null, countryCode: 'FR', timezone: 'Europe/Paris', locale: 'fr_FR', phonePrefix: '+33-1-5555-', zipCode: '75002', weight: 3, country: 'France', lat: 48.8675, lon: 2.3411 },
  { city: 'Amsterdam', state: null, countryCode: 'NL', timezone: 'Europe/Amsterdam', locale: 'nl_NL', phonePrefix: '+31-20-555-', zipCode: '1012 AB', weight: 3, country: 'Netherlands', lat: 52.3731, lon: 4.8922 },
  { city: 'Chicago', state: 'IL', countryCode: 'US', timezone: 'America/Chicago', locale: 'en_US', phonePrefix: '+1-312-555-', zipCode: '60601', weight: 3, country: 'United States', lat: 41.8858, lon: -87.6181 },
  { city: 'Tokyo', state: null, countryCode: 'JP', timezone: 'Asia/Tokyo', locale: 'ja_JP', phonePrefix: '+81-3-5555-', zipCode: '100-0005', weight: 2, country: 'Japan', lat: 35.6841, lon: 139.7744 },
  { city: 'São Paulo', state: 'SP', countryCode: 'BR', timezone: 'America/Sao_Paulo', locale: 'pt_BR', phonePrefix: '+55-11-5555-', zipCode: '01310-100', weight: 2, country: 'Brazil', lat: -23.5614, lon: -46.6559 },
  { city: 'Denver', state: 'CO', countryCode: 'US', timezone: 'America/Denver', locale: 'en_US', phonePrefix: '+1-303-555-', zipCode: '80202', weight: 2, country: 'United States', lat: 39.7525, lon: -104.9995 },
  { city: 'Madrid', state: null, countryCode: 'ES', timezone: 'Europe/Madrid', locale: 'es_ES', phonePrefix: '+34-91-555-', zipCode: '28013', weight: 2, country: 'Spain', lat: 40.4168, lon: -3.7038 },
  { city: 'Stockholm', state: null, countryCode: 'SE', timezone: 'Europe/Stockholm', locale: 'sv_SE', phonePrefix: '+46-8-555-', zipCode: '111 51', weight: 1.5, country: 'Sweden', lat: 59.3326, lon: 18.0649 },
  { city: 'Warsaw', state: null, countryCode: 'PL', timezone: 'Europe/Warsaw', locale: 'pl_PL', phonePrefix: '+48-22-555-', zipCode: '00-001', weight: 1.5, country: 'Poland', lat: 52.2297, lon: 21.0122 },
];

export const PARTNER_COMPANIES: readonly { name: string; domain: string }[] = [
  { name: 'Brightline Consulting', domain: 'brightline-consulting.example.com' },
  { name: 'Northstar Systems', domain: 'northstar-systems.example.com' },
  { name: 'Bluefin Analytics', domain: 'bluefin-analytics.example.com' },
  { name: 'Copperleaf Labs', domain: 'copperleaf.example.com' },
  { name: 'Harborview Advisory', domain: 'harborview.example.com' },
  { name: 'Ironbark Solutions', domain: 'ironbark.example.com' },
];

/** Who a group of an app role is drawn from. */
export type Audience = {
  /** Department slugs; absent = every department. */
  depts?: readonly string[];
  /** Employment types; absent = employees and contractors (partners only when named). */
  types?: readonly ('Employee' | 'Contractor' | 'Partner')[];
};

export type AppRoleDef = {
  suffix: string;
  audience: Audience;
  /** Share of the audience in the group (scaled so the org lands near ~10 memberships/person). */
  coverage?: number;
  /** A fixed-size group instead (admins and the like), independent of scaling. */
  size?: readonly [number, number];
  /** Imported from Active Directory (an APP_GROUP) rather than created in Okta. */
  fromAd?: boolean;
};

export type AppDef = {
  key: string;
  /** Okta's app-catalog name (`name` in the Apps API). */
  name: string;
  label: string;
  signOnMode: 'SAML_2_0' | 'AUTO_LOGIN' | 'BOOKMARK';
  url: string;
  roles: readonly AppRoleDef[];
  /** Department groups assigned to the app directly (birthright access). */
  departmentAssignments?: readonly string[];
  /** Assigned to the whole org through Everyone. */
  everyone?: boolean;
  /** AWS-style: one set of role groups per account, more accounts in bigger orgs. */
  perAccount?: boolean;
  status?: 'ACTIVE' | 'INACTIVE';
  features?: readonly string[];
};

const ENG = ['engineering', 'security', 'data', 'it'];
const ADMINS: AppRoleDef = { suffix: 'admins', audience: { depts: ['it'] }, size: [2, 6] };
const PROVISIONING = ['PUSH_NEW_USERS', 'PUSH_USER_DEACTIVATION', 'PUSH_PROFILE_UPDATES', 'GROUP_PUSH', 'REACTIVATE_USERS'];

// Ordered by how early a company adopts the app: small orgs get the first few.
export const APP_CATALOG: readonly AppDef[] = [
  { key: 'slack', name: 'slack', label: 'Slack', signOnMode: 'SAML_2_0', url: 'https://{slug}.slack.com', features: PROVISIONING,
    roles: [{ suffix: 'users', audience: {}, coverage: 0.85 }, { suffix: 'guests', audience: { types: ['Partner'] }, coverage: 0.6 }, ADMINS] },
  { key: 'google-workspace', name: 'google', label: 'Google Workspace', signOnMode: 'SAML_2_0', url: 'https://mail.google.com/a/{domain}', features: PROVISIONING,
    roles: [{ suffix: 'users', audience: {}, coverage: 0.9 }, ADMINS] },
  { key: 'zoom', name: 'zoomus', label: 'Zoom', signOnMode: 'SAML_2_0', url: 'https://{slug}.zoom.us', everyone: true,
    roles: [{ suffix: 'licensed', audience: {}, coverage: 0.5 }, ADMINS] },
  { key: 'jira', name: 'atlassian_jira', label: 'Jira Software', signOnMode: 'SAML_2_0', url: 'https://{slug}.atlassian.net',
    roles: [{ suffix: 'users', audience: { depts: ['engineering', 'product', 'design', 'support', 'it', 'security', 'data'] }, coverage: 0.8 }, ADMINS] },
  { key: 'github', name: 'githubcloud', label: 'GitHub Enterprise Cloud', signOnMode: 'SAML_2_0', url: 'https://github.com/orgs/{slug}',
    departmentAssignments: ['engineering'],
    roles: [{ suffix: 'members', audience: { depts: ENG }, coverage: 0.6 }, { suffix: 'owners', audience: { depts: ['engineering'] }, size: [2, 5] }] },
  { key: 'salesforce', name: 'salesforce', label: 'Salesforce', signOnMode: 'SAML_2_0', url: 'https://{slug}.my.salesforce.com', features: PROVISIONING,
    departmentAssignments: ['sales'],
    roles: [{ suffix: 'users', audience: { depts: ['sales', 'customer-success', 'marketing'] }, coverage: 0.8 },
      { suffix: 'readonly', audience: { depts: ['finance', 'operations'] }, coverage: 0.3 }, ADMINS] },
  { key: 'aws', name: 'amazon_aws', label: 'AWS', signOnMode: 'SAML_2_0', url: 'https://signin.aws.amazon.com/saml', perAccount: true,
    roles: [{ suffix: 'admins', audience: { depts: ['engineering', 'it', 'security'] }, size: [2, 8], fromAd: true },
      { suffix: 'developers', audience: { depts: ['engineering', 'data'] }, coverage: 0.25 },
      { suffix: 'readonly', audience: { depts: ENG }, coverage: 0.12 }] },
  { key: 'figma', name: 'figma', label: 'Figma', signOnMode: 'SAML_2_0', url: 'https://www.figma.com',
    roles: [{ suffix: 'editors', audience: { depts: ['design', 'product', 'marketing'] }, coverage: 0.6 },
      { suffix: 'viewers', audience: {}, coverage: 0.15 }, ADMINS] },
  { key: 'notion', name: 'notion', label: 'Notion', signOnMode: 'SAML_2_0', url: 'https://www.notion.so',
    roles: [{ suffix: 'users', audience: {}, coverage: 0.45 }, ADMINS] },
  { key: 'confluence', name: 'atlassian_confluence', label: 'Confluence', signOnMode: 'SAML_2_0', url: 'https://{slug}.atlassian.net/wiki',
    roles: [{ suffix: 'users', audience: {}, coverage: 0.6 }, ADMINS] },
  { key: 'workday', name: 'workday', label: 'Workday', signOnMode: 'SAML_2_0', url: 'https://wd5.myworkday.com/{slug}',
    roles: [{ suffix: 'users', audience: { types: ['Employee'] }, coverage: 0.95 },
      { suffix: 'hr-admins', audience: { depts: ['people'] }, size: [2, 6], fromAd: true },
      { suffix: 'finance', audience: { depts: ['finance'] }, coverage: 0.5 }] },
  { key: '1password', name: '1password', label: '1Password', signOnMode: 'SAML_2_0', url: 'https://{slug}.1password.com',
    roles: [{ suffix: 'users', audience: {}, coverage: 0.7 }, { suffix: 'admins', audience: { depts: ['it', 'security'] }, size: [2, 5] }] },
  { key: 'datadog', name: 'datadog', label: 'Datadog', signOnMode: 'SAML_2_0', url: 'https://app.datadoghq.com',
    roles: [{ suffix: 'users', audience: { depts: ENG }, coverage: 0.5 }, { suffix: 'admins', audience: { depts: ['engineering'] }, size: [2, 5] }] },
  { key: 'zendesk', name: 'zendesk', label: 'Zendesk', signOnMode: 'SAML_2_0', url: 'https://{slug}.zendesk.com', features: PROVISIONING,
    departmentAssignments: ['support'],
    roles: [{ suffix: 'agents', audience: { depts: ['support', 'customer-success'] }, coverage: 0.9 }, ADMINS] },
  { key: 'hubspot', name: 'hubspot', label: 'HubSpot', signOnMode: 'SAML_2_0', url: 'https://app.hubspot.com',
    roles: [{ suffix: 'users', audience: { depts: ['marketing', 'sales'] }, coverage: 0.5 }, ADMINS] },
  { key: 'company-handbook', name: 'bookmark', label: 'Company Handbook', signOnMode: 'BOOKMARK', url: 'https://handbook.{domain}', everyone: true,
    roles: [] },
  { key: 'pagerduty', name: 'pagerduty', label: 'PagerDuty', signOnMode: 'SAML_2_0', url: 'https://{slug}.pagerduty.com',
    roles: [{ suffix: 'responders', audience: { depts: ['engineering', 'it', 'security'] }, coverage: 0.3 }, { suffix: 'admins', audience: { depts: ['engineering'] }, size: [2, 4] }] },
  { key: 'snowflake', name: 'snowflake', label: 'Snowflake', signOnMode: 'SAML_2_0', url: 'https://{slug}.snowflakecomputing.com',
    roles: [{ suffix: 'analysts', audience: { depts: ['data', 'finance', 'operations'] }, coverage: 0.6 },
      { suffix: 'admins', audience: { depts: ['data'] }, size: [2, 4], fromAd: true }] },
  { key: 'tableau', name: 'tableau_online', label: 'Tableau', signOnMode: 'SAML_2_0', url: 'https://online.tableau.com',
    roles: [{ suffix: 'creators', audience: { depts: ['data'] }, coverage: 0.8 }, { suffix: 'viewers', audience: {}, coverage: 0.1 }] },
  { key: 'docusign', name: 'docusign', label: 'DocuSign', signOnMode: 'SAML_2_0', url: 'https://app.docusign.com',
    roles: [{ suffix: 'senders', audience: { depts: ['legal', 'sales', 'people', 'finance'] }, coverage: 0.4 }, ADMINS] },
  { key: 'netsuite', name: 'netsuite', label: 'NetSuite', signOnMode: 'SAML_2_0', url: 'https://system.netsuite.com',
    roles: [{ suffix: 'users', audience: { depts: ['finance'] }, coverage: 0.9 }, { suffix: 'admins', audience: { depts: ['finance'] }, size: [1, 3], fromAd: true }] },
  { key: 'greenhouse', name: 'greenhouse', label: 'Greenhouse', signOnMode: 'SAML_2_0', url: 'https://app.greenhouse.io',
    roles: [{ suffix: 'recruiters', audience: { depts: ['people'] }, coverage: 0.7 }, { suffix: 'interviewers', audience: { types: ['Employee'] }, coverage: 0.15 }] },
  { key: 'miro', name: 'miro', label: 'Miro', signOnMode: 'SAML_2_0', url: 'https://miro.com',
    roles: [{ suffix: 'users', audience: { depts: ['product', 'design', 'marketing', 'engineering'] }, coverage: 0.35 }] },
  { key: 'gitlab', name: 'gitlab', label: 'GitLab', signOnMode: 'SAML_2_0', url: 'https://gitlab.{domain}',
    roles: [{ suffix: 'developers', audience: { depts: ['engineering'] }, coverage: 0.3 },
      { suffix: 'maintainers', audience: { depts: ['engineering'] }, coverage: 0.05 }, ADMINS] },
  { key: 'sentry', name: 'sentry', label: 'Sentry', signOnMode: 'SAML_2_0', url: 'https://sentry.io',
    roles: [{ suffix: 'users', audience: { depts: ['engineering'] }, coverage: 0.4 }] },
  { key: 'gong', name: 'gong', label: 'Gong', signOnMode: 'SAML_2_0', url: 'https://app.gong.io',
    roles: [{ suffix: 'users', audience: { depts: ['sales', 'customer-success'] }, coverage: 0.6 }] },
  { key: 'expensify', name: 'expensify', label: 'Expensify', signOnMode: 'SAML_2_0', url: 'https://www.expensify.com',
    roles: [{ suffix: 'users', audience: { types: ['Employee'] }, coverage: 0.6 }, { suffix: 'approvers', audience: { depts: ['finance'] }, size: [2, 8] }] },
  { key: 'box', name: 'boxnet', label: 'Box', signOnMode: 'SAML_2_0', url: 'https://{slug}.app.box.com',
    roles: [{ suffix: 'users', audience: {}, coverage: 0.3 }, ADMINS] },
  { key: 'crowdstrike', name: 'crowdstrike', label: 'CrowdStrike Falcon', signOnMode: 'SAML_2_0', url: 'https://falcon.crowdstrike.com',
    roles: [{ suffix: 'analysts', audience: { depts: ['security'] }, coverage: 0.8 }, { suffix: 'admins', audience: { depts: ['security'] }, size: [1, 3], fromAd: true }] },
  { key: 'lucidchart', name: 'lucidchart', label: 'Lucidchart', signOnMode: 'SAML_2_0', url: 'https://lucid.app',
    roles: [{ suffix: 'users', audience: {}, coverage: 0.12 }] },
  { key: 'travel-portal', name: 'template_swa', label: 'Travel Portal', signOnMode: 'AUTO_LOGIN', url: 'https://travel.example.com/login',
    roles: [{ suffix: 'users', audience: { types: ['Employee'] }, coverage: 0.2 }] },
  { key: 'legacy-wiki', name: 'template_swa', label: 'Legacy Wiki', signOnMode: 'AUTO_LOGIN', url: 'https://wiki.{domain}/login', status: 'INACTIVE',
    roles: [{ suffix: 'users', audience: {}, coverage: 0.05 }] },
];

/** AWS-style account names, used in order as the org grows. */
export const AWS_ACCOUNTS: readonly string[] = [
  'prod', 'staging', 'dev', 'sandbox', 'data', 'security', 'logging', 'shared-services', 'billing', 'network',
  'ml', 'analytics', 'backup', 'audit', 'edge', 'payments', 'identity', 'search', 'mobile', 'qa',
  'dr', 'build', 'artifacts', 'observability', 'partner', 'eu-prod', 'eu-staging', 'apac-prod', 'apac-staging', 'gov',
  'research', 'marketing', 'internal-tools', 'ci', 'perf', 'chaos', 'archive', 'compliance', 'labs', 'demo',
];

export const TEAM_WORDS: Readonly<Record<string, readonly string[]>> = {
  engineering: ['platform', 'payments', 'identity', 'growth', 'mobile', 'web', 'infra', 'search', 'billing', 'onboarding',
    'api', 'reliability', 'devex', 'observability', 'checkout', 'notifications', 'integrations', 'ml-platform', 'storage', 'networking'],
  sales: ['na-enterprise', 'na-mid-market', 'na-smb', 'emea-enterprise', 'emea-mid-market', 'apac-enterprise', 'latam', 'strategic', 'channel', 'public-sector'],
  support: ['tier1', 'tier2', 'escalations', 'emea', 'apac', 'premium', 'onboarding'],
  'customer-success': ['enterprise', 'commercial', 'renewals', 'implementation', 'emea', 'apac'],
  marketing: ['brand', 'demand-gen', 'product-marketing', 'events', 'content', 'web', 'lifecycle'],
  product: ['core', 'growth', 'platform', 'mobile', 'enterprise', 'analytics'],
  design: ['product-design', 'research', 'brand', 'design-systems'],
  finance: ['fpa', 'accounting', 'payroll', 'procurement', 'tax', 'treasury'],
  people: ['recruiting', 'people-ops', 'total-rewards', 'learning', 'people-partners'],
  it: ['helpdesk', 'endpoint', 'identity', 'network', 'collaboration'],
  security: ['appsec', 'detection', 'grc', 'cloudsec', 'red-team'],
  data: ['analytics', 'data-eng', 'data-science', 'ml'],
  legal: ['commercial', 'privacy', 'corporate', 'employment'],
  operations: ['bizops', 'workplace', 'facilities', 'vendor-management'],
  executive: ['staff'],
};

export const PROJECT_CODENAMES: readonly string[] = [
  'apollo', 'atlas', 'aurora', 'beacon', 'borealis', 'cascade', 'comet', 'condor', 'cypress', 'ember',
  'falcon', 'fjord', 'galaxy', 'granite', 'harbor', 'helix', 'horizon', 'juniper', 'kestrel', 'lighthouse',
  'lynx', 'mercury', 'meridian', 'monsoon', 'nebula', 'nova', 'onyx', 'orbit', 'osprey', 'pegasus',
  'phoenix', 'pinnacle', 'polaris', 'prism', 'quasar', 'raven', 'redwood', 'sequoia', 'sierra', 'solstice',
  'sparrow', 'spectrum', 'summit', 'tempest', 'titan', 'topaz', 'tundra', 'vector', 'vertex', 'voyager', 'zenith', 'zephyr',
];

/** Cross-cutting role groups most companies have, managed by hand. */
export const ROLE_GROUPS: readonly { name: string; description: string; audience: Audience; size: readonly [number, number] }[] = [
  { name: 'role-oncall-sre', description: 'Primary and secondary on-call for production', audience: { depts: ['engineering'] }, size: [6, 40] },
  { name: 'role-security-champions', description: 'Security champions embedded in product teams', audience: { depts: ['engineering', 'product'] }, size: [5, 60] },
  { name: 'role-interview-panel', description: 'Trained interviewers', audience: { types: ['Employee'] }, size: [10, 300] },
  { name: 'role-release-managers', description: 'May approve production releases', audience: { depts: ['engineering'] }, size: [3, 15] },
  { name: 'role-it-helpdesk', description: 'IT helpdesk staff (Okta help desk admins)', audience: { depts: ['it'] }, size: [2, 30] },
  { name: 'role-finance-approvers', description: 'Approve purchase orders and invoices', audience: { depts: ['finance'] }, size: [2, 20] },
  { name: 'role-legal-reviewers', description: 'Contract reviewers', audience: { depts: ['legal'] }, size: [1, 12] },
  { name: 'role-mentors', description: 'Mentorship programme mentors', audience: { types: ['Employee'] }, size: [5, 200] },
];
